/**
 * The Redis record sink. Records go from memory to the stream in pipelined batches; while Redis is
 * unreachable or slow they wait in memory for at most `spoolAfterMs` (or until `memoryLimit` are
 * waiting), then move to the disk spool, which is replayed in order once Redis answers again:
 * the spool is drained before anything newer is sent. One loop does all of it, so sending,
 * spilling and replaying never interleave. `write` never waits and never throws: Redis trouble
 * cannot delay or fail a call.
 */

import type { CallRecord, RecordSink } from '../call/record.js';
import { marksKey } from './record-keys.js';
import {
  type AppendTarget,
  appendBatch,
  awaitReplicas,
  defineAppend,
  trimStream,
} from './redis-append.js';
import type { Spooled } from './spool.js';
import { trafficOf } from './traffic-entry.js';
import { recordsDropped } from './writer-metrics.js';
import type { WriterOptions } from './writer-options.js';

type Queued = Spooled & { at: number };

const RETRY_MS = [100, 200, 500, 1000, 2000];

export class StreamWriter implements RecordSink {
  readonly #o: WriterOptions;
  readonly #target: AppendTarget;
  readonly #redis: ReturnType<typeof defineAppend>;
  readonly #now: () => number;
  readonly #batch: number;
  readonly #linger: number;
  readonly #memory: Queued[] = [];
  #seq = 0;
  #failures = 0;
  /** The failures were warned about: their end is worth an info line too. */
  #warned = false;
  #retryAt = 0;
  #lastTrim = 0;
  #closing = false;
  #markSynced = false;
  /** The journal holds records back: they spill to the spool as if Redis failed. */
  #held = false;
  #wake: () => void = () => undefined;
  #idle: (() => void)[] = [];
  readonly #done: Promise<void>;

  constructor(options: WriterOptions) {
    this.#o = options;
    this.#target = {
      stream: options.stream,
      node: options.node,
      retentionDays: options.retentionDays,
      ...(options.traffic && { trafficStream: options.traffic.stream }),
    };
    this.#redis = defineAppend(options.redis);
    this.#now = options.now ?? Date.now;
    // about 500 XADDs per round trip either way: ioredis slows down on much longer pipelines
    this.#batch = options.batchSize ?? (options.traffic ? 250 : 500);
    this.#linger = options.lingerMs ?? 50;
    this.#done = this.#loop();
  }

  /** Whether the last attempt reached RedisClient; false while records wait or go to the spool. */
  get redisUp(): boolean {
    return this.#failures === 0;
  }

  get spooled(): number {
    return this.#o.spool.pending;
  }

  write(record: CallRecord): void {
    const now = this.#now();
    // strictly increasing per node, also across restarts (the clock has moved on)
    this.#seq = Math.max(this.#seq + 1, now * 1000);
    // the raw record (and its caller number) is not kept: only what goes to the two streams
    const queued: Queued = { seq: this.#seq, record: this.#o.anonymise(record), at: now };
    if (this.#o.traffic) queued.traffic = trafficOf(record);
    this.#o.onQueued?.(queued);
    this.#memory.push(queued);
    this.#o.metrics.queued.set(this.#memory.length);
    // the first record starts the linger; the others wait for it, unless they fill a batch
    if (this.#memory.length === 1 || this.#memory.length >= this.#batch) this.#wake();
  }

  /** Resolves when nothing is left in memory: every record is in Redis or in the spool. */
  flush(): Promise<void> {
    if (this.#memory.length === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.#idle.push(resolve);
      this.#wake();
    });
  }

  /** Moves whatever is still in memory to Redis or the spool, then stops. */
  async close(): Promise<void> {
    this.#closing = true;
    this.#wake();
    await this.#done;
  }

  async #loop(): Promise<void> {
    for (;;) {
      const progressed = this.#now() >= this.#retryAt && (await this.#sendSomething());
      if (!progressed) await this.#spill(this.#closing || this.#idle.length > 0);
      // a gateway without calls still lets go of entries past their retention (traffic data
      // above all); only on a live connection, so a trim never waits in ioredis's offline queue
      if (!progressed && this.#failures === 0 && this.#o.redis.status === 'ready')
        await this.#trim().catch(() => undefined);
      if (this.#memory.length === 0) for (const resolve of this.#idle.splice(0)) resolve();
      if (this.#closing && this.#memory.length === 0) return;
      if (!progressed) await this.#sleep();
    }
  }

  /** Replays the spool first, then memory; false when there was nothing to do or Redis failed. */
  async #sendSomething(): Promise<boolean> {
    this.#held = this.#o.holdRecords?.() ?? false;
    if (this.#held) return false;
    if (!this.#markSynced && !(await this.#syncMark())) return false;
    const spool = this.#o.spool;
    if (spool.pending > 0) {
      const { items, bytes } = await spool.peek(this.#batch);
      if (items.length === 0) return false;
      if (!(await this.#send(items))) return false;
      await spool.consume(items.length, bytes);
      this.#o.metrics.replayed.inc(items.length);
      this.#o.metrics.spoolPending.set(spool.pending);
      return true;
    }
    if (this.#memory.length === 0 || this.#lingering()) return false;
    const batch = this.#memory.slice(0, this.#batch);
    if (!(await this.#send(batch))) return false;
    this.#memory.splice(0, batch.length);
    this.#o.metrics.queued.set(this.#memory.length);
    return true;
  }

  async #send(batch: readonly Spooled[]): Promise<boolean> {
    const started = performance.now();
    this.#o.onSending?.(batch.map((q) => [q.record.id, q.seq] as const));
    try {
      await appendBatch(this.#redis, this.#target, batch);
      const replicas = this.#o.minReplicas ?? 0;
      // not acknowledged by enough replicas: not written (a failover could take it), so it stays
      // queued or spooled and sent again, and the script's mark check writes it once
      if (replicas > 0)
        await awaitReplicas(
          this.#redis,
          this.#target,
          replicas,
          this.#o.replicaTimeoutMs ?? 1000,
          batch.at(-1)?.seq ?? 0,
        );
      this.#o.metrics.latency.observe((performance.now() - started) / 1000);
      this.#o.metrics.written.inc(batch.length);
      this.#o.onSettled?.(
        batch.map((q) => q.record.id),
        true,
      );
      if (this.#o.traffic)
        this.#o.metrics.trafficWritten.inc(batch.filter((q) => q.traffic).length);
      if (this.#warned)
        this.#o.logger.info({ after: this.#failures }, 'record stream reachable again');
      this.#failures = 0;
      this.#warned = false;
      // the batch is written; a failed trim is retried with the next one
      await this.#trim().catch(() => undefined);
      return true;
    } catch (err) {
      this.#failed(err);
      return false;
    }
  }

  #failed(err: unknown): void {
    // Redis away is the connection's watch to tell (once, with what to set); a command that
    // fails on a live connection is the writer's
    const connected = this.#o.redis.status === 'ready';
    if (this.#failures === 0)
      this.#o.logger[connected ? 'warn' : 'debug'](
        { err },
        'record stream unreachable: records wait in memory, then go to the spool',
      );
    if (this.#failures === 0 && connected) this.#warned = true;
    this.#retryAt = this.#now() + RETRY_MS[Math.min(this.#failures, RETRY_MS.length - 1)]!;
    this.#failures++;
  }

  /**
   * Sequences must rise above the node's mark in Redis even if this host's clock went back since
   * the mark was set; records still in memory are renumbered, in order, above it.
   */
  async #syncMark(): Promise<boolean> {
    try {
      const mark = Number((await this.#redis.hget(marksKey(this.#o.stream), this.#o.node)) ?? 0);
      if (mark >= this.#seq) {
        this.#seq = mark;
        for (const q of this.#memory) {
          q.seq = ++this.#seq;
          this.#o.onQueued?.(q);
        }
      }
      this.#markSynced = true;
      return true;
    } catch (err) {
      this.#failed(err);
      return false;
    }
  }

  /**
   * While Redis fails: memory → spool for records older than spoolAfterMs, beyond memoryLimit, or
   * all of them (`all`: flush or close). What the spool cannot take (full, or a disk error) stays
   * in memory; only what then exceeds memoryLimit is dropped, oldest first, counted and logged.
   * Records that came in while the spool fsynced are not the spool's refusal: they may push memory
   * past the limit for a moment and go to the spool on the next round (at once: a full batch
   * wakes the loop), never to the floor.
   */
  async #spill(all: boolean): Promise<void> {
    if (this.#failures === 0 && !this.#held) return;
    const cutoff = this.#now() - this.#o.spoolAfterMs;
    let n = 0;
    while (
      n < this.#memory.length &&
      (all || this.#memory[n]!.at <= cutoff || this.#memory.length - n > this.#o.memoryLimit)
    )
      n++;
    if (n === 0) return;
    const fitted = await this.#o.spool.append(this.#memory.slice(0, n)).catch((err: Error) => {
      this.#o.logger.error({ err, path: this.#o.spool.path }, 'cannot write the record spool');
      return 0;
    });
    this.#memory.splice(0, fitted);
    this.#o.metrics.spooled.inc(fitted);
    const refused = fitted < n;
    const excess = refused ? this.#memory.length - this.#o.memoryLimit : 0;
    if (excess > 0) {
      const dropped = this.#memory.splice(0, excess);
      this.#o.onSettled?.(
        dropped.map((q) => q.record.id),
        false,
      );
      recordsDropped(this.#o.metrics, this.#o.logger, this.#o.spool.path, excess);
    }
    this.#o.metrics.queued.set(this.#memory.length);
    this.#o.metrics.spoolPending.set(this.#o.spool.pending);
  }

  /** Fresh records wait a moment for company, unless a batch is full or flush/close waits. */
  #lingering(): boolean {
    if (this.#closing || this.#idle.length > 0 || this.#memory.length >= this.#batch) return false;
    return this.#now() - this.#memory[0]!.at < this.#linger;
  }

  async #trim(): Promise<void> {
    const now = this.#now();
    if (now - this.#lastTrim < (this.#o.trimEveryMs ?? 10_000)) return;
    this.#lastTrim = now;
    const o = this.#o;
    await trimStream(this.#redis, o.stream, o.retentionDays, o.maxLength, now, o.traffic);
  }

  /** Until the oldest record's linger ends; 50 ms between retries; else until a write wakes it. */
  #waitMs(): number {
    const oldest = this.#memory[0];
    const left = oldest && this.#failures === 0 ? oldest.at + this.#linger - this.#now() : 0;
    if (left > 0) return left;
    return oldest || this.#o.spool.pending > 0 ? 50 : 60_000;
  }

  #sleep(): Promise<void> {
    const waitMs = this.#waitMs();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, waitMs);
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
