/**
 * The keys of the call records, all derived from the record stream's name (RECORD_STREAM), so
 * they share its Redis Cluster hash tag: the append script touches the stream, its marks,
 * the call journal and the traffic stream together, and a cluster runs those only when every key is in one slot.
 * The defaults carry the tag `{records}`; a key derived here inherits whatever tag the stream has.
 */
import { keySlot } from '../redis/slot.js';

export const DEFAULT_RECORD_STREAM = 'calltrack:{records}:calls';
export const DEFAULT_TRAFFIC_STREAM = 'calltrack:{records}:traffic';

export type RecordKeys = {
  readonly stream: string;
  /** The writer's per-node sequence marks (exactly once across retries and spool replays). */
  readonly marks: string;
};

export function recordKeys(stream: string): RecordKeys {
  return { stream, marks: marksKey(stream) };
}

/** Key of the per-node sequence marks, beside the stream. */
export function marksKey(stream: string): string {
  return `${stream}:writer-seq`;
}

/** A node's call journal (journal-redis.ts): calls in progress, by record id. */
export function journalKey(stream: string, node: string): string {
  return `${stream}:journal:${node}`;
}

/** Every node's last journal heartbeat. */
export function beatsKey(stream: string): string {
  return `${stream}:journal-beats`;
}

/** Calls of a lost node already written as `node-lost` (tombstones). */
export function reapedKey(stream: string, node: string): string {
  return `${stream}:journal-reaped:${node}`;
}

/**
 * Why a Redis Cluster could not take the record and traffic streams together, or undefined.
 * The marks key derives from the record stream and needs no check of its own.
 */
export function crossSlotProblem(recordStream: string, trafficStream: string): string | undefined {
  const a = keySlot(recordStream);
  const b = keySlot(trafficStream);
  if (a === b) return undefined;
  return `RECORD_STREAM '${recordStream}' (slot ${a}) and TRAFFIC_STREAM '${trafficStream}' (slot ${b}) are in different Redis Cluster hash slots, and each call's two entries are written by one script; give both the same hash tag, e.g. RECORD_STREAM=${DEFAULT_RECORD_STREAM} TRAFFIC_STREAM=${DEFAULT_TRAFFIC_STREAM}`;
}
