/**
 * The call journal in Redis. Keys derive from the record stream's name, like the writer's marks,
 * so they share its hash tag (`calltrack:{records}:calls` → `calltrack:{records}:calls:journal:…`)
 * and a Redis Cluster keeps a script's keys in one slot:
 * - `<stream>:journal:<node>`: hash, record id → entry (journal-entry.ts), calls in progress;
 * - `<stream>:journal-beats`: hash, node → its last heartbeat (ms, Redis's clock);
 * - `<stream>:journal-reaped:<node>`: hash, record id → ms: calls written as `node-lost` whose
 *   gateway may still come back with their real record (a Redis outage longer than the loss
 *   bound): the append script then drops that record, so a call is never written twice.
 * Beats use Redis's clock (TIME), so gateways with skewed clocks agree on who is lost.
 */
import type { RedisClient } from '../redis/connect.js';
import { toFields } from './entry.js';
import { decodeEntry, type JournalEntry, orphanRecords } from './journal-entry.js';
import { beatsKey, journalKey, marksKey, reapedKey } from './record-keys.js';
import { toTrafficFields } from './traffic-entry.js';

/** How long a tombstone waits for a lost gateway's own record of the call (7 days). */
export const REAPED_TTL_MS = 7 * 86_400_000;

const BEAT = `
local t = redis.call('TIME')
local ms = string.format('%.0f', tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000))
redis.call('HSET', KEYS[1], ARGV[1], ms)
return ms
`;

/**
 * KEYS: stream, beats, journal, reaped, marks, [traffic]. ARGV: node, the beat the reaper saw (''
 * for a gateway reaping its own previous life: no check), then per call its id, the sequence of
 * its record if the dead gateway had sent it ('0': not sent), the widths of its call and traffic
 * field lists, the fields. A sent record whose sequence the node's mark reaches is in the
 * stream: its entry goes, nothing is written. The beat check makes a gateway that came back meanwhile
 * keep its calls; HDEL decides who writes a call: only the script that removed its entry, so two
 * reapers never write one call twice. A lost node left without entries loses its beat too.
 */
const REAP = `
local stream, beats, journal, reaped, marks = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local traffic = KEYS[6]
local node, expected = ARGV[1], ARGV[2]
if expected ~= '' and redis.call('HGET', beats, node) ~= expected then return -1 end
local mark = tonumber(redis.call('HGET', marks, node) or '0')
local t = redis.call('TIME')
local now = string.format('%.0f', tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000))
local added = 0
local i = 3
while i <= #ARGV do
  local id, seq = ARGV[i], tonumber(ARGV[i + 1])
  local width, twidth = tonumber(ARGV[i + 2]), tonumber(ARGV[i + 3])
  local first = i + 4
  if redis.call('HDEL', journal, id) == 1 and not (seq > 0 and seq <= mark) then
    local args = { stream, '*' }
    for j = first, first + width - 1 do args[#args + 1] = ARGV[j] end
    redis.call('XADD', unpack(args))
    if twidth > 0 and traffic then
      local targs = { traffic, '*' }
      for j = first + width, first + width + twidth - 1 do targs[#targs + 1] = ARGV[j] end
      redis.call('XADD', unpack(targs))
    end
    redis.call('HSET', reaped, id, now)
    added = added + 1
  end
  i = first + width + twidth
end
if added > 0 then redis.call('PEXPIRE', reaped, ${REAPED_TTL_MS}) end
if expected ~= '' and redis.call('HLEN', journal) == 0 then redis.call('HDEL', beats, node) end
return added
`;

type WithJournal = RedisClient & {
  calltrackBeat(beats: string, node: string): Promise<string>;
  calltrackReap(numKeys: number, ...keysAndArgs: string[]): Promise<number>;
};

export function defineJournal(redis: RedisClient): WithJournal {
  const r = redis as WithJournal;
  if (typeof r.calltrackBeat !== 'function') {
    redis.defineCommand('calltrackBeat', { numberOfKeys: 1, lua: BEAT });
    redis.defineCommand('calltrackReap', { lua: REAP });
  }
  return r;
}

export type JournalTarget = { stream: string; trafficStream?: string };

/** Writes this node's heartbeat; resolves with it (ms, Redis's clock). */
export async function beat(redis: WithJournal, stream: string, node: string): Promise<number> {
  return Number(await redis.calltrackBeat(beatsKey(stream), node));
}

/** Every node's last beat, and Redis's clock now. */
export async function readBeats(
  redis: RedisClient,
  stream: string,
): Promise<{ now: number; beats: Map<string, string> }> {
  const [[sec, micro], beats] = await Promise.all([redis.time(), redis.hgetall(beatsKey(stream))]);
  return {
    now: Number(sec) * 1000 + Math.floor(Number(micro) / 1000),
    beats: new Map(Object.entries(beats)),
  };
}

/** A node's journal; entries that do not decode are returned apart, to be logged. */
export async function readJournal(
  redis: RedisClient,
  stream: string,
  node: string,
): Promise<{ entries: Map<string, JournalEntry>; bad: string[] }> {
  const raw = await redis.hgetall(journalKey(stream, node));
  const entries = new Map<string, JournalEntry>();
  const bad: string[] = [];
  for (const [id, text] of Object.entries(raw)) {
    try {
      entries.set(id, decodeEntry(id, text));
    } catch {
      bad.push(id);
    }
  }
  return { entries, bad };
}

/**
 * Writes the `node-lost` records of `entries` (ended at `endMs`) and removes them, in one script;
 * `expectedBeat` ('' for the node's own previous life) must still be the node's beat. Returns how
 * many were written (-1: the node beat again meanwhile, nothing written).
 */
export async function reap(
  redis: WithJournal,
  target: JournalTarget,
  node: string,
  expectedBeat: string,
  entries: readonly JournalEntry[],
  endMs: number,
): Promise<number> {
  const keys = [
    target.stream,
    beatsKey(target.stream),
    journalKey(target.stream, node),
    reapedKey(target.stream, node),
    marksKey(target.stream),
  ];
  if (target.trafficStream) keys.push(target.trafficStream);
  const args: string[] = [node, expectedBeat];
  for (const entry of entries) {
    const { record, traffic } = orphanRecords(entry, endMs);
    const fields = toFields(record);
    const tfields = target.trafficStream && traffic ? toTrafficFields(traffic) : [];
    args.push(record.id, String(entry.seq ?? 0), String(fields.length), String(tfields.length));
    for (const f of fields) args.push(f);
    for (const f of tfields) args.push(f);
  }
  return redis.calltrackReap(keys.length, ...keys, ...args);
}
