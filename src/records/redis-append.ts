/**
 * Appends a batch of records to the stream in one round trip, exactly once per record. Each node
 * numbers its records with a strictly increasing sequence; the script keeps the highest sequence
 * written per node and skips anything at or below it, so a batch sent twice (a retry, or the
 * spool replayed after a crash) adds nothing twice. Retention (by age and length) is applied by
 * the writer's periodic XTRIM, not per entry: trimming on every XADD cost a fifth of the rate.
 */
import type { Redis } from 'ioredis';
import { type StreamRecord, toFields } from './entry.js';

const SCRIPT = `
local stream, marks = KEYS[1], KEYS[2]
local node, width = ARGV[1], tonumber(ARGV[2])
local last = tonumber(redis.call('HGET', marks, node) or '0')
local added = 0
local i = 3
while i <= #ARGV do
  local seq = tonumber(ARGV[i])
  if seq > last then
    local args = { stream, '*' }
    for j = i + 1, i + width do args[#args + 1] = ARGV[j] end
    redis.call('XADD', unpack(args))
    last = seq
    added = added + 1
  end
  i = i + 1 + width
end
redis.call('HSET', marks, node, string.format('%.0f', last))
return added
`;

type WithAppend = Redis & {
  calltrackAppend(stream: string, marks: string, ...args: string[]): Promise<number>;
};

export function defineAppend(redis: Redis): WithAppend {
  const r = redis as WithAppend;
  if (typeof r.calltrackAppend !== 'function')
    redis.defineCommand('calltrackAppend', { numberOfKeys: 2, lua: SCRIPT });
  return r;
}

export type AppendTarget = { stream: string; node: string; retentionDays: number };

/** Key of the per-node sequence marks, beside the stream. */
export function marksKey(stream: string): string {
  return `${stream}:writer-seq`;
}

export async function appendBatch(
  redis: WithAppend,
  target: AppendTarget,
  batch: readonly { seq: number; record: StreamRecord }[],
): Promise<number> {
  const args: string[] = [target.node, '0'];
  let width = 0;
  for (const { seq, record } of batch) {
    const fields = toFields(record);
    width = fields.length;
    args.push(String(seq), ...fields);
  }
  args[1] = String(width);
  return redis.calltrackAppend(target.stream, marksKey(target.stream), ...args);
}

/** Retention: entries older than `retentionDays` (MINID) and beyond `maxLength` go. */
export async function trimStream(
  redis: Redis,
  stream: string,
  retentionDays: number,
  maxLength: number,
  now: number,
): Promise<void> {
  await redis.xtrim(stream, 'MINID', '~', String(now - retentionDays * 86_400_000));
  await redis.xtrim(stream, 'MAXLEN', '~', maxLength);
}

/**
 * The common case, records never sent before: plain XADDs and the new sequence mark in one
 * MULTI/EXEC, all or nothing, at the speed of a bare pipeline. Anything that may have reached
 * Redis already (a retry, the spool) goes through `appendBatch`, which checks the mark.
 */
export async function appendFresh(
  redis: Redis,
  target: AppendTarget,
  batch: readonly { seq: number; record: StreamRecord }[],
): Promise<void> {
  const tx = redis.multi();
  for (const { record } of batch) tx.xadd(target.stream, '*', ...toFields(record));
  tx.hset(marksKey(target.stream), target.node, String(batch.at(-1)?.seq ?? 0));
  const results = await tx.exec();
  const failed = results?.find(([err]) => err);
  if (!results || failed) throw failed?.[0] ?? new Error('MULTI/EXEC aborted');
}
