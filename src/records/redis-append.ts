/**
 * Appends a batch of records to the stream in one round trip, exactly once per record. Each node
 * numbers its records with a strictly increasing sequence; the script keeps the highest sequence
 * written per node and skips anything at or below it, so a batch sent twice (a retry, or the
 * spool replayed after a crash) adds nothing twice. With traffic records on, a call's traffic
 * entry rides on the same sequence and the same mark: the call's two entries are written together
 * or not at all, and a replay adds neither twice. Retention (by age and length) is applied by the
 * writer's periodic XTRIM, not per entry: trimming on every XADD cost a fifth of the rate.
 */
import type { RedisClient } from '../redis/connect.js';
import { toFields } from './entry.js';
import { journalKey, marksKey, reapedKey } from './record-keys.js';
import type { Spooled } from './spool.js';
import { toTrafficFields } from './traffic-entry.js';

/**
 * Every key it touches comes in KEYS (Redis ACLs check KEYS, a Redis Cluster routes by them, and
 * runs it only when all are in one slot: they share the record stream's hash tag, record-keys.ts):
 * stream, marks, the node's call journal and its tombstones (journal-redis.ts), and KEYS[5], the
 * traffic stream, only when traffic records are on. A record removes its call's journal entry
 * in the same step; a call already written as `node-lost` (no entry, a tombstone) is skipped and
 * its tombstone removed, so a call has one record either way. Per record: sequence, the width
 * of its call field list, then the call's fields and its traffic fields (none: no traffic entry,
 * as in an older spool) as one JSON array of strings (`packFields`). A failing XADD (a wrong key
 * type, a permission) stops the batch with its error: what came before it stays written and
 * marked, the failing call has neither entry (its call entry is deleted again), so a retry
 * neither repeats nor splits a call. Every batch goes through it, first attempts too.
 */
const SCRIPT = `
local stream, marks, journal, reaped, traffic = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local node = ARGV[1]
local last = tonumber(redis.call('HGET', marks, node) or '0')
local added = 0
local i = 2
while i <= #ARGV do
  local seq, width = tonumber(ARGV[i]), tonumber(ARGV[i + 1])
  if seq > last then
    local f = cjson.decode(ARGV[i + 2])
    local twidth = #f - width
    -- the fields start with the record id (entry.ts writes 'id' first)
    local rid = f[2]
    local entry = redis.call('HGET', journal, rid)
    if entry then redis.call('HDEL', journal, rid) end
    if not entry and redis.call('HDEL', reaped, rid) == 1 then
      last = seq
    else
      if twidth > 0 and not traffic then return redis.error_reply('ERR traffic entry without KEYS[5]') end
      local args = { stream, '*' }
      for j = 1, width do args[#args + 1] = f[j] end
      local id = redis.pcall('XADD', unpack(args))
      local err = type(id) == 'table' and id.err
      if not err and twidth > 0 then
        local targs = { traffic, '*' }
        for j = width + 1, width + twidth do targs[#targs + 1] = f[j] end
        local tid = redis.pcall('XADD', unpack(targs))
        if type(tid) == 'table' and tid.err then
          err = tid.err
          redis.pcall('XDEL', stream, id)
        end
      end
      if err then
        redis.call('HSET', marks, node, string.format('%.0f', last))
        if entry then redis.call('HSET', journal, rid, entry) end
        return redis.error_reply(err)
      end
      last = seq
      added = added + 1
    end
  end
  i = i + 3
end
redis.call('HSET', marks, node, string.format('%.0f', last))
return added
`;

type Appender = {
  /** `numKeys` first: 4 (call stream, marks, journal, tombstones) or 5 (and the traffic stream). */
  calltrackAppend(numKeys: number, ...keysAndArgs: string[]): Promise<number>;
};
type WithAppend = RedisClient & Appender;

export function defineAppend<T extends RedisClient>(redis: T): T & Appender {
  const r = redis as T & Appender;
  if (typeof r.calltrackAppend !== 'function')
    redis.defineCommand('calltrackAppend', { lua: SCRIPT });
  return r;
}

/** `trafficStream`: set when traffic records are on. */
export type AppendTarget = {
  stream: string;
  node: string;
  retentionDays: number;
  trafficStream?: string;
};

type AppendItem = Spooled;

/** The traffic entry to write for `item`, if any: none without a traffic stream to take it. */
function trafficFields(target: AppendTarget, item: AppendItem): string[] | undefined {
  return target.trafficStream && item.traffic ? toTrafficFields(item.traffic) : undefined;
}

export async function appendBatch(
  redis: WithAppend,
  target: AppendTarget,
  batch: readonly AppendItem[],
): Promise<number> {
  const keys = [
    target.stream,
    marksKey(target.stream),
    journalKey(target.stream, target.node),
    reapedKey(target.stream, target.node),
  ];
  if (target.trafficStream) keys.push(target.trafficStream);
  const args: string[] = [target.node];
  for (const item of batch) {
    const fields = toFields(item.record);
    const traffic = trafficFields(target, item);
    const width = fields.length;
    if (traffic) for (const f of traffic) fields.push(f);
    args.push(String(item.seq), String(width), packFields(fields));
  }
  return redis.calltrackAppend(keys.length, ...keys, ...args);
}

/**
 * A record's fields as one argument, a JSON array the script decodes (Redis's cjson): ioredis
 * frames every argument on its own (a `Buffer.byteLength` and four string concatenations each),
 * which for fifty-odd fields a record cost more of the gateway's CPU than the rest of the write
 * (issue 16). cjson refuses a lone surrogate, which JSON.stringify writes as an escape; ioredis
 * sends one as U+FFFD, and so does the packed form.
 */
function packFields(fields: readonly string[]): string {
  const json = JSON.stringify(fields);
  // rare (a backslash then "ud" in a field matches too): only then is every field checked
  return json.includes('\\ud') ? JSON.stringify(fields.map((f) => f.toWellFormed())) : json;
}

/** A batch Redis took that too few replicas have yet: not written, as far as the writer goes. */
export class ReplicaShortfall extends Error {
  override name = 'ReplicaShortfall';
}

/**
 * Reads a node's mark and writes it back unchanged: a write on the connection that asks, so the
 * WAIT after it has something of this connection's to count (see awaitReplicas).
 */
const TOUCH_MARK = `
local mark = redis.call('HGET', KEYS[1], ARGV[1])
if mark then redis.call('HSET', KEYS[1], ARGV[1], mark) end
return mark
`;

/**
 * Waits until `replicas` replicas have the batch that ended with sequence `lastSeq` (WAIT).
 * Replication is asynchronous: a master answers a batch, dies before its replica has it, the
 * replica is promoted without the entries and without the mark, and a writer that took the
 * answer as "written" has lost them. Only a batch the replicas acknowledged counts; one that
 * falls short stays pending, and its retry goes through the script, whose mark check makes it
 * exactly once wherever the batch got to (the old master's replica has it: skipped; it does
 * not: written).
 *
 * WAIT counts what *this connection* wrote, on the node it is connected to, and a cluster client
 * may send this pipeline to another node than the batch went to (ioredis re-sends a pipeline
 * that failed with a closed connection to the slot's new master, where a WAIT with nothing
 * written returns at once). So the pipeline first touches the marks key (a write: it routes the
 * pipeline to the slot's master, and gives WAIT something to count; replication is ordered, so
 * replicas that have the touch have everything before it) and reads the mark: below `lastSeq`,
 * the node that answers does not hold the batch, and it is not written whatever WAIT says.
 * WAIT cannot run inside the append script (Redis refuses it in scripts), hence its own round trip.
 */
export async function awaitReplicas(
  redis: RedisClient,
  target: AppendTarget,
  replicas: number,
  timeoutMs: number,
  lastSeq: number,
): Promise<void> {
  const results = await redis
    .pipeline()
    .eval(TOUCH_MARK, 1, marksKey(target.stream), target.node)
    .wait(replicas, timeoutMs)
    .exec();
  const [markErr, mark] = results?.[0] ?? [new Error('mark: no reply')];
  if (markErr) throw markErr;
  if (typeof mark !== 'string' || BigInt(mark) < BigInt(lastSeq))
    throw new ReplicaShortfall(
      `the node that answered holds this node's records up to ${String(mark)}, not the batch ending at ${lastSeq} (a failover in between); it stays pending and is retried`,
    );
  const [err, acked] = results?.[1] ?? [new Error('WAIT: no reply')];
  if (err) throw err;
  if (typeof acked !== 'number' || acked < replicas)
    throw new ReplicaShortfall(
      `${String(acked)} of ${replicas} replicas acknowledged the batch within ${timeoutMs} ms (RECORD_MIN_REPLICAS); it stays pending and is retried`,
    );
}

/**
 * Retention: call entries older than `retentionDays` (MINID ~) and beyond `maxLength` go. Traffic
 * entries go by age alone and exactly (MINID =): the law limits how long they are kept, so none
 * may outstay its days by a node's worth of entries, and billing data is never cut by count.
 */
export async function trimStream(
  redis: RedisClient,
  stream: string,
  retentionDays: number,
  maxLength: number,
  now: number,
  traffic?: { stream: string; retentionDays: number },
): Promise<void> {
  await redis.xtrim(stream, 'MINID', '~', String(now - retentionDays * 86_400_000));
  await redis.xtrim(stream, 'MAXLEN', '~', maxLength);
  if (traffic)
    await redis.xtrim(traffic.stream, 'MINID', String(now - traffic.retentionDays * 86_400_000));
}
