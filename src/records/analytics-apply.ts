/**
 * One record's effect on the analytics, stored atomically with its id-once mark in one Lua
 * script: if the record id's `seen` key can be set (SET NX EX), the script counts the call for
 * its customer × source × local day by outcome, adds its talk time, counts it as after hours when
 * the number was closed, and raises its tracking
 * number's last-call time (kept at the maximum); otherwise it changes nothing. A record read
 * twice (a replayed duplicate, a pending entry re-read after a crash) is therefore counted once.
 */
import type { ChainableCommander } from 'ioredis';
import type { RedisClient } from '../redis/connect.js';
import {
  AFTER_HOURS_FIELD,
  callsKey,
  LAST_CALL_KEY,
  SEEN_TTL_SECONDS,
  seenKey,
  TALK_FIELD,
} from './analytics-keys.js';
import { localDay } from './day.js';
import type { StreamRecord } from './entry.js';

const SCRIPT = `
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then return 0 end
if ARGV[2] == '1' then
  redis.call('HINCRBY', KEYS[2], ARGV[3] .. ':' .. ARGV[4], 1)
  local talk = tonumber(ARGV[5])
  if talk > 0 then redis.call('HINCRBY', KEYS[2], '${TALK_FIELD}:' .. ARGV[4], talk) end
  if ARGV[8] == '1' then redis.call('HINCRBY', KEYS[2], '${AFTER_HOURS_FIELD}:' .. ARGV[4], 1) end
end
if ARGV[6] ~= '' then
  local at = tonumber(ARGV[7])
  local last = tonumber(redis.call('HGET', KEYS[3], ARGV[6]) or '0')
  if at > last then redis.call('HSET', KEYS[3], ARGV[6], ARGV[7]) end
end
return 1
`;

const COMMAND = 'calltrackAnalyticsApply';

type Apply = (seen: string, calls: string, lastCall: string, ...argv: string[]) => unknown;
type WithApply<T> = T & { [COMMAND]: Apply };

export function defineApply(redis: RedisClient): void {
  if (typeof (redis as WithApply<RedisClient>)[COMMAND] !== 'function')
    redis.defineCommand(COMMAND, { numberOfKeys: 3, lua: SCRIPT });
}

/** Why a record cannot be counted, or undefined when it can. */
export function uncountable(record: StreamRecord): string | undefined {
  if (!record.id) return 'no record id';
  if (Number.isNaN(Date.parse(record.startedAt))) return 'no valid start time';
  return undefined;
}

/**
 * Queues the script for one record on a pipeline of a connection that went through
 * `defineApply`; its reply is 1 when counted, 0 for a duplicate. Check `uncountable` first.
 */
export function queueApply(
  pipeline: ChainableCommander,
  record: StreamRecord,
  seenTtlSeconds = SEEN_TTL_SECONDS,
): void {
  const startMs = Date.parse(record.startedAt);
  const talk = Number.parseInt(record.talkMs, 10);
  (pipeline as WithApply<ChainableCommander>)[COMMAND](
    seenKey(record.id),
    callsKey(record.customer, localDay(startMs)),
    LAST_CALL_KEY,
    String(seenTtlSeconds),
    record.customer ? '1' : '0',
    record.outcome,
    record.source,
    String(Number.isFinite(talk) && talk > 0 ? talk : 0),
    record.trackingNumber,
    String(startMs),
    record.afterHours ? '1' : '0',
  );
}
