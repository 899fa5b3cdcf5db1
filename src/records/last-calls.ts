/**
 * The last call per tracking number as analytics keep it, in the shape
 * `calltrack numbers reclaimable --last-calls` reads: `{ "+4930…": "2026-11-02T10:00:00.000Z" }`.
 */
import type { RedisClient } from '../redis/connect.js';
import { LAST_CALL_KEY } from './analytics-keys.js';

export async function readLastCalls(redis: RedisClient): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  let cursor = '0';
  do {
    const [next, flat] = await redis.hscan(LAST_CALL_KEY, cursor, 'COUNT', 1000);
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const ms = Number(flat[i + 1]);
      if (Number.isFinite(ms)) out[flat[i]!] = new Date(ms).toISOString();
    }
    cursor = next;
  } while (cursor !== '0');
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}
