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
  const ids: string[] = [];
  for (let start = '-'; ; ) {
    const page = await redis.xrange(stream, start, '+', 'COUNT', PAGE);
    for (const [, fields] of page) {
      const at = fields.indexOf('id');
      ids.push(at >= 0 ? fields[at + 1]! : '(none)');
    }
    if (page.length < PAGE) return ids;
    start = `(${page.at(-1)![0]}`;
  }
}

/** How many entries each record id has. */
export function countIds(ids: readonly string[]): Map<string, number> {
  const seen = new Map<string, number>();
  for (const id of ids) seen.set(id, (seen.get(id) ?? 0) + 1);
  return seen;
}
