/**
 * The record ids a stream holds, one per entry in stream order, for the checks that count records
 * exactly once (the failover tests, bench/cps-records.ts, the faults bench). Read a page at a time:
 * a load test's stream has more entries than one XRANGE should carry.
 */
import { DEFAULT_RECORD_STREAM } from '../../src/records/record-keys.js';
import type { RedisClient } from '../../src/redis/connect.js';

const PAGE = 10_000;

/** An entry without an `id` field (not a record) reads as `(none)`, so it still counts. */
export async function recordIds(
  redis: RedisClient,
  stream: string = DEFAULT_RECORD_STREAM,
): Promise<string[]> {
  return (await recordFields(redis, stream, ['id'])).map(([id]) => id ?? '(none)');
}

/** Per entry, in stream order, the values of `names` (undefined where the entry lacks one). */
export async function recordFields(
  redis: RedisClient,
  stream: string,
  names: readonly string[],
): Promise<(string | undefined)[][]> {
  const out: (string | undefined)[][] = [];
  for (let start = '-'; ; ) {
    const page = await redis.xrange(stream, start, '+', 'COUNT', PAGE);
    for (const [, fields] of page) out.push(names.map((name) => fieldOf(fields, name)));
    if (page.length < PAGE) return out;
    start = `(${page.at(-1)![0]}`;
  }
}

/** A field's value: names sit at even places, so a value equal to a name is not taken for it. */
function fieldOf(fields: readonly string[], name: string): string | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}

/** How many entries each record id has. */
export function countIds(ids: readonly string[]): Map<string, number> {
  const seen = new Map<string, number>();
  for (const id of ids) seen.set(id, (seen.get(id) ?? 0) + 1);
  return seen;
}
