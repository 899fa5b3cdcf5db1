/**
 * A record of string fields ↔ a Redis stream entry's `[field, value, …]` list, by a table of
 * field names: one table per format (entry.ts, traffic-entry.ts), read and written the same way.
 */
export type FlatCodec<T> = {
  /** `[field, value, …]` in the table's order; a field the record lacks is written as ''. */
  toFields(record: T): string[];
  /** An XRANGE/XREADGROUP entry's list back into a record; unknown fields are ignored. */
  fromFields(list: readonly string[]): T;
};

export function flatCodec<T extends { [K in keyof T]: string }>(
  names: Readonly<Record<keyof T, string>>,
): FlatCodec<T> {
  const keys = Object.keys(names) as (keyof T)[];
  return {
    toFields(record) {
      const out: string[] = [];
      for (const k of keys) out.push(names[k], record[k] ?? '');
      return out;
    },
    fromFields(list) {
      const byField = new Map<string, string>();
      for (let i = 0; i + 1 < list.length; i += 2) byField.set(list[i]!, list[i + 1]!);
      const out = {} as Record<keyof T, string>;
      for (const k of keys) out[k] = byField.get(names[k]) ?? '';
      return out as T;
    },
  };
}
