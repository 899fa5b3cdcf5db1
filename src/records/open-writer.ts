/**
 * Builds the Redis record sink from the configuration: client, spool, anonymiser, writer, and
 * the call journal beside it (started: it beats and reaps until closed).
 */
import { resolve } from 'node:path';
import type { Config } from '../config/load.js';
import type { Logger } from '../observability/logger.js';
import { watchRedis } from '../observability/redis-peer.js';
import { createRedis, type RedisClient } from '../redis/connect.js';
import { createAnonymiser } from './anonymise.js';
import { RedisJournal } from './journal.js';
import { DiskJournal } from './journal-disk.js';
import type { JournalMetrics } from './journal-metrics.js';
import { JournalWindow } from './journal-window.js';
import { Spool } from './spool.js';
import { StreamWriter } from './writer.js';
import { recordsDropped, type WriterMetrics } from './writer-metrics.js';

/** How long a connection of recordRedis may take to be made. */
export const RECORD_REDIS_CONNECT_MS = 2000;

/**
 * Commands fail fast while Redis is away (no offline queue, a command timeout) instead of piling
 * up in the client: the writer's own memory queue and spool are where records wait.
 */
export function recordRedis(url: string): RedisClient {
  return createRedis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: 2000,
    connectTimeout: RECORD_REDIS_CONNECT_MS,
    retryStrategy: (n) => Math.min(50 * n, 1000),
  });
}

export async function openWriter(
  config: Config,
  nodeId: string,
  logger: Logger,
  metrics: WriterMetrics,
  journalMetrics: JournalMetrics,
): Promise<{ writer: StreamWriter; redis: RedisClient; journal: RedisJournal }> {
  const r = config.records;
  const redis = recordRedis(config.redisUrl);
  const spool = new Spool(r.spoolDir, nodeId, r.spoolMaxBytes);
  // the writer retries and spools by itself; the log says once what is missing and what to set
  watchRedis(redis, {
    url: config.redisUrl,
    remedy: `set REDIS_URL to the Redis that keeps the call records, or RECORD_SINK=log or RECORD_SINK=file:<path> to run without Redis; meanwhile records wait in memory, then in the spool ${resolve(spool.path)}`,
    reminderMs: config.peerReminderSeconds * 1000,
    logger,
  });
  await spool.open();
  const window = new JournalWindow(r.spoolDir, nodeId);
  await spoolOldRecords(window, spool, logger, metrics);
  const anonymise = createAnonymiser(r.pseudonymSecret || undefined);
  const traffic = config.traffic.records === 'on';
  const journal = new RedisJournal({
    redis,
    stream: r.stream,
    ...(traffic && { trafficStream: config.traffic.stream }),
    node: nodeId,
    anonymise,
    traffic,
    heartbeatMs: r.journalHeartbeatSeconds * 1000,
    lostMs: r.journalNodeLostSeconds * 1000,
    // the journal asks only after a beat went through: Redis answers, the replay runs at once
    spoolDrained: (): boolean => writer.spooled === 0,
    logger: logger.child({ component: 'journal' }),
    metrics: journalMetrics,
    disk: new DiskJournal(r.spoolDir, nodeId),
    window,
  });
  const writer = new StreamWriter({
    redis,
    spool,
    stream: r.stream,
    node: nodeId,
    retentionDays: r.retentionDays,
    maxLength: r.maxLength,
    memoryLimit: r.memoryLimit,
    minReplicas: r.minReplicas,
    spoolAfterMs: r.spoolAfterMs,
    anonymise,
    holdRecords: (): boolean => journal.holdsRecords(),
    // a routed call's entry covers it; a rejected call has none, so its record is kept instead
    onQueued: (queued) => {
      if (queued.record.outcome === 'rejected') window.record(queued);
    },
    onSending: (records) => journal.sending(records),
    onSettled: (ids, written) => journal.settled(ids, written),
    ...(traffic && {
      traffic: { stream: config.traffic.stream, retentionDays: config.traffic.retentionDays },
    }),
    logger: logger.child({ component: 'records' }),
    metrics,
  });
  journal.start();
  return { writer, redis, journal };
}

/**
 * Records of rejected calls an earlier life held in memory when it died go to the spool, with
 * their sequences, before anything else is written: the mark check drops any that had reached
 * Redis after all. What a full spool cannot take is counted and logged as dropped, as at runtime.
 */
async function spoolOldRecords(
  window: JournalWindow,
  spool: Spool,
  logger: Logger,
  metrics: WriterMetrics,
): Promise<void> {
  await window.takeOldRecords(async (records) => {
    const fitted = await spool.append(records);
    metrics.spooled.inc(fitted);
    metrics.spoolPending.set(spool.pending);
    logger.info({ records: fitted }, 'records the last run had not written yet: spooled');
    const dropped = records.length - fitted;
    if (dropped > 0) recordsDropped(metrics, logger, spool.path, dropped);
  });
}
