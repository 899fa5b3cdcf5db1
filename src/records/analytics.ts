/**
 * The analytics consumer: reads the record stream in the consumer group `analytics` and stores
 * each record's effect (counts, talk time, last call) with its id-once mark in one script
 * (`analytics-apply.ts`); an entry is acknowledged only after its script ran. At start it first
 * re-reads its own pending entries (read before a crash, maybe applied, not acknowledged), and
 * regularly claims entries another consumer left pending for `claimIdleMs` (a consumer that died
 * under another name). After a Redis error it retries, re-reading its own pending entries first
 * (and re-creating the group if Redis lost it). Blocking reads time out after `blockMs`, so
 * `stop()` ends `run()` within about that time.
 */

import type { Logger } from '../observability/logger.js';
import type { RedisClient } from '../redis/connect.js';
import { defineApply, queueApply, uncountable } from './analytics-apply.js';
import { ANALYTICS_GROUP, SEEN_TTL_SECONDS } from './analytics-keys.js';
import { fromFields } from './entry.js';

export type AnalyticsOptions = {
  /** A connection of its own: the blocking reads hold it. */
  redis: RedisClient;
  stream: string;
  consumer: string;
  logger: Logger;
  group?: string;
  batchSize?: number;
  blockMs?: number;
  claimIdleMs?: number;
  seenTtlSeconds?: number;
  retryMs?: number;
};

type Entry = [id: string, fields: string[] | null];
type ReadReply = [stream: string, entries: Entry[]][] | null;
type ClaimReply = [cursor: string, entries: Entry[], deleted?: string[]];

export type AnalyticsCounters = { counted: number; duplicates: number; skipped: number };

export class AnalyticsConsumer {
  readonly #o: Required<Omit<AnalyticsOptions, 'redis' | 'logger'>>;
  readonly #redis: RedisClient;
  readonly #log: Logger;
  readonly #counters: AnalyticsCounters = { counted: 0, duplicates: 0, skipped: 0 };
  #stopping = false;
  #failing = false;
  #lastClaim = 0;

  constructor(options: AnalyticsOptions) {
    this.#redis = options.redis;
    this.#log = options.logger;
    this.#o = {
      stream: options.stream,
      consumer: options.consumer,
      group: options.group ?? ANALYTICS_GROUP,
      batchSize: options.batchSize ?? 200,
      blockMs: options.blockMs ?? 2000,
      claimIdleMs: options.claimIdleMs ?? 60_000,
      seenTtlSeconds: options.seenTtlSeconds ?? SEEN_TTL_SECONDS,
      retryMs: options.retryMs ?? 1000,
    };
    defineApply(this.#redis);
  }

  /** Records counted, duplicates dropped, entries skipped (deleted or unreadable) so far. */
  get counters(): Readonly<AnalyticsCounters> {
    return { ...this.#counters };
  }

  stop(): void {
    this.#stopping = true;
  }

  /** Consumes until `stop()`; Redis trouble is logged and retried, never thrown. */
  async run(): Promise<void> {
    let recovered = false;
    while (!this.#stopping) {
      try {
        if (!recovered) {
          await this.#ensureGroup();
          await this.#readOwnPending();
          recovered = true;
        }
        if (Date.now() - this.#lastClaim >= this.#o.claimIdleMs) await this.#claimStale();
        await this.#readNew();
        this.#healthy();
      } catch (err) {
        // Redis away is the connection's watch to say (the analytics process watches it)
        const level = this.#redis.status === 'ready' ? 'warn' : 'debug';
        if (!this.#failing) this.#log[level]({ err }, 'analytics: Redis error, retrying');
        this.#failing = true;
        // entries read before the error may be pending on this consumer: re-read them first
        recovered = false;
        await this.#pause(this.#o.retryMs);
      }
    }
  }

  async #ensureGroup(): Promise<void> {
    try {
      // from the start of the stream: a new group counts the history that is still there
      await this.#redis.xgroup('CREATE', this.#o.stream, this.#o.group, '0', 'MKSTREAM');
      this.#log.info({ stream: this.#o.stream, group: this.#o.group }, 'analytics: group created');
    } catch (err) {
      if (!String((err as Error).message).startsWith('BUSYGROUP')) throw err;
    }
  }

  /** Entries delivered to this consumer name before a restart and never acknowledged. */
  async #readOwnPending(): Promise<void> {
    let after = '0';
    while (!this.#stopping) {
      const entries = await this.#read(after, undefined);
      if (entries.length === 0) return;
      await this.#handle(entries);
      after = entries.at(-1)![0];
    }
  }

  /** Entries other consumers (or this one, on a failed script) left pending for too long. */
  async #claimStale(): Promise<void> {
    this.#lastClaim = Date.now();
    let cursor = '0-0';
    do {
      const [next, entries, deleted = []] = (await this.#redis.call(
        'XAUTOCLAIM',
        this.#o.stream,
        this.#o.group,
        this.#o.consumer,
        this.#o.claimIdleMs,
        cursor,
        'COUNT',
        this.#o.batchSize,
      )) as ClaimReply;
      // entries trimmed from the stream while pending: Redis drops them from the pending list
      this.#counters.skipped += deleted.length;
      if (entries.length > 0) await this.#handle(entries);
      cursor = next;
    } while (cursor !== '0-0' && !this.#stopping);
  }

  async #readNew(): Promise<void> {
    const entries = await this.#read('>', this.#o.blockMs);
    if (entries.length > 0) await this.#handle(entries);
  }

  async #read(id: string, blockMs: number | undefined): Promise<Entry[]> {
    const block = blockMs === undefined ? [] : ['BLOCK', blockMs];
    const reply = (await this.#redis.call(
      'XREADGROUP',
      'GROUP',
      this.#o.group,
      this.#o.consumer,
      'COUNT',
      this.#o.batchSize,
      ...block,
      'STREAMS',
      this.#o.stream,
      id,
    )) as ReadReply;
    return reply?.[0]?.[1] ?? [];
  }

  /** Applies a batch in one pipeline, then acknowledges the entries whose script ran. */
  async #handle(entries: readonly Entry[]): Promise<void> {
    const pipeline = this.#redis.pipeline();
    const applied: string[] = [];
    const done: string[] = [];
    for (const [id, fields] of entries) {
      const record = fields ? fromFields(fields) : undefined;
      const why = record ? uncountable(record) : 'deleted from the stream';
      if (!record || why) {
        this.#log.warn({ entry: id, why }, 'analytics: entry skipped');
        this.#counters.skipped++;
        done.push(id);
        continue;
      }
      queueApply(pipeline, record, this.#o.seenTtlSeconds);
      applied.push(id);
    }
    const results = applied.length > 0 ? ((await pipeline.exec()) ?? []) : [];
    results.forEach(([err, counted], i) => {
      if (err) {
        // a failed script leaves its entry pending; the stale claim retries it
        this.#log.warn({ err, entry: applied[i] }, 'analytics: script failed');
        return;
      }
      if (counted === 1) this.#counters.counted++;
      else this.#counters.duplicates++;
      done.push(applied[i]!);
    });
    if (done.length > 0) await this.#redis.xack(this.#o.stream, this.#o.group, ...done);
  }

  #healthy(): void {
    if (!this.#failing) return;
    this.#failing = false;
    this.#log.info('analytics: Redis answers again');
  }

  #pause(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }
}
