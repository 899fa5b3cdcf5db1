/** What the Redis record sink (writer.ts) is given: where records go, its limits, its hooks. */
import type { Logger } from '../observability/logger.js';
import type { RedisClient } from '../redis/connect.js';
import type { Anonymiser } from './anonymise.js';
import type { AppendTarget } from './redis-append.js';
import type { Spool, Spooled } from './spool.js';
import type { WriterMetrics } from './writer-metrics.js';

export type WriterOptions = Omit<AppendTarget, 'trafficStream'> & {
  /**
   * Traffic records on (TRAFFIC_RECORDS=on): each call's traffic record goes to `stream` with its
   * anonymised record, under the same sequence; trimmed after `retentionDays`.
   */
  traffic?: { stream: string; retentionDays: number };
  redis: RedisClient;
  spool: Spool;
  anonymise: Anonymiser;
  memoryLimit: number;
  spoolAfterMs: number;
  maxLength: number;
  logger: Logger;
  metrics: WriterMetrics;
  now?: () => number;
  batchSize?: number;
  /**
   * How long a fresh record may wait in memory for others to share its round trip (default 50 ms).
   * A round trip per record cost each call about a sixth of the gateway's CPU at 100 calls/s.
   */
  lingerMs?: number;
  /**
   * True while the call journal's disk file holds entries Redis lacks: records wait, so none
   * reaches Redis before its call's entry. Absent: never.
   */
  holdRecords?: () => boolean;
  /**
   * A record queued in memory, as it would be spooled; again with its new sequence when
   * renumbered (the call journal's crash window keeps the records no entry covers).
   */
  onQueued?: (queued: Spooled) => void;
  /** Records about to be sent, with their sequences (the call journal's crash window). */
  onSending?: (records: readonly (readonly [string, number])[]) => void;
  /**
   * Records that reached Redis (`written`), or were dropped for good (the call journal's crash
   * window).
   */
  onSettled?: (recordIds: readonly string[], written: boolean) => void;
  /** How often the streams are trimmed to their retention (and the call stream to `maxLength`). */
  trimEveryMs?: number;
  /** RECORD_MIN_REPLICAS: a batch counts as written once this many replicas have it (WAIT). */
  minReplicas?: number;
  /** How long a WAIT may take; a shortfall is retried like any failed batch. */
  replicaTimeoutMs?: number;
};
