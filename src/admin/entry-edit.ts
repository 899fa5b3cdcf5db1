/**
 * Entries of the API's requests written into dialplan documents: new entries in the files' key
 * order, and JSON merge patches (RFC 7396) applied node by node, so the keys a patch leaves alone
 * keep their comments and layout.
 */
import { type Document, isMap, isSeq, type YAMLMap, type YAMLSeq } from 'yaml';

export const CUSTOMER_KEYS = [
  'id',
  'name',
  'seat',
  'registration',
  'trackingHeader',
  'businessHours',
  'closed',
];
export const NUMBER_KEYS = [
  'number',
  'customer',
  'source',
  'status',
  'activatedAt',
  'deactivatedAt',
  'replaces',
  'replacedBy',
  'destinations',
  'options',
];

/** The entry with its known keys in the files' order; unknown keys after them (the schema names them). */
export function ordered(entry: Record<string, unknown>, keys: readonly string[]) {
  const out: Record<string, unknown> = {};
  for (const k of keys) if (entry[k] !== undefined) out[k] = entry[k];
  for (const [k, v] of Object.entries(entry)) if (!keys.includes(k)) out[k] = v;
  return out;
}

/** Appends to the list `key` of the document, creating it; returns the new entry's index. */
export function appendEntry(doc: Document, key: string, entry: Record<string, unknown>): number {
  const list = doc.get(key, true);
  if (isSeq(list)) {
    list.items.push(doc.createNode(entry));
    return list.items.length - 1;
  }
  doc.set(key, doc.createNode([entry]));
  return 0;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** RFC 7396 on a YAML map: null deletes, an object merges into a map, anything else replaces. */
export function mergePatch(doc: Document, map: YAMLMap, patch: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      map.delete(key);
      continue;
    }
    const current = map.get(key, true);
    if (isObject(value) && isMap(current)) mergePatch(doc, current, value);
    else map.set(key, doc.createNode(isObject(value) ? withoutNulls(value) : value));
  }
}

/** A patch member that is new in the document: its nulls mean nothing (RFC 7396 §2). */
function withoutNulls(value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value))
    if (v !== null) out[k] = isObject(v) ? withoutNulls(v) : v;
  return out;
}

export type ListEntry = { seq: YAMLSeq; index: number; node: YAMLMap };
