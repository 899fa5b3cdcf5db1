/**
 * The call journal: every call in progress has an entry in Redis (journal-redis.ts) until its
 * record is appended, which removes it in the same script. Each gateway beats every
 * `heartbeatMs` and reaps: a node whose beat is older than `lostMs` is dead, and its entries
 * become `node-lost` records, ended at its last beat. A gateway restarting with the same node id
 * reaps its previous life's entries itself, once its spool is replayed (the spool holds records
 * of calls that did end, which remove their entries first).
 *
 * Cost on the call path: none awaited. Entries are batched into one HSET per `flushMs`; a call
 * shorter than that never reaches Redis (nor needs to: its record follows at once).
 */
import { randomBytes } from 'node:crypto';
import type { CallJournal, JournalStart } from '../call/record.js';
import type { Logger } from '../observability/logger.js';
import type { RedisClient } from '../redis/connect.js';
import { isoString } from '../util/iso-time.js';
import type { Anonymiser } from './anonymise.js';
import type { DiskJournal } from './journal-disk.js';
import { decodeEntry, encodeEntryWith, type JournalEntry, startFields } from './journal-entry.js';
import type { JournalMetrics } from './journal-metrics.js';
import { JournalReaper } from './journal-reaper.js';
import { beat, defineJournal, type JournalTarget } from './journal-redis.js';
import type { JournalWindow } from './journal-window.js';
import { beatsKey, journalKey } from './record-keys.js';

export type JournalOptions = JournalTarget & {
  redis: RedisClient;
  node: string;
  anonymise: Anonymiser;
  /** Traffic records on: entries keep the caller's number (and destination) for them. */
  traffic: boolean;
  heartbeatMs: number;
  lostMs: number;
  /** True once the record spool holds nothing: a restart reaps its old entries only then. */
  spoolDrained: () => boolean;
  logger: Logger;
  metrics: JournalMetrics;
  /** Where entries go while Redis is away (and are read again after a crash). */
  disk?: DiskJournal;
  /** Every entry at once, for a kill before the next flush (journal-window.ts); needs `disk`. */
  window?: JournalWindow;
  /**
   * How long entries gather before one HSET takes them all (default 100 ms: half the CPU per
   * call of 20 ms at 300 calls/s, `npm run bench -- journal`; what a SIGKILL can miss).
   */
  flushMs?: number;
};

export class RedisJournal implements CallJournal {
  readonly #o: JournalOptions;
  readonly #redis: ReturnType<typeof defineJournal>;
  readonly #key: string;
  readonly #reaper: JournalReaper;
  readonly life = `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
  /** Calls in progress: the entry, and its record as JSON (made once, at the start). */
  readonly #live = new Map<string, [JournalEntry, string]>();
  /** Entries changed since the last flush: id → [encoded, version in the window file]. */
  readonly #dirty = new Map<string, [string, number]>();
  #flushTimer: NodeJS.Timeout | undefined;
  #tickTimer: NodeJS.Timeout | undefined;
  /** The first beat is written: entries may go to Redis (none may before, see #startLife). */
  #started = false;
  /** This node's beat before this life, read before the first beat overwrote it. */
  #oldBeat: number | undefined;
  #recovered = false;
  #resync = false;
  #closed = false;
  #ticking: Promise<void> = Promise.resolve();

  constructor(options: JournalOptions) {
    this.#o = options;
    this.#redis = defineJournal(options.redis);
    this.#key = journalKey(options.stream, options.node);
    this.#reaper = new JournalReaper({ ...options, redis: this.#redis });
    // an earlier life's last moments: durable on disk before anything else, pushed at the first
    // beat and written as node-lost like the rest of that life's calls
    const disk = options.disk;
    if (disk) options.window?.takeOld((old) => disk.appendSync(old));
  }

  /** Starts the heartbeat and the reaper (the first tick at once). */
  start(): void {
    this.#ticking = this.#tick();
  }

  begin(call: JournalStart): void {
    const record = startFields(this.#o.anonymise, call);
    const entry: JournalEntry = { life: this.life, record };
    if (this.#o.traffic)
      entry.traffic = { caller: call.callerWithheld ? '' : (call.callerNumber ?? '') };
    this.#live.set(call.recordId, [entry, JSON.stringify(record)]);
    this.#touch(call.recordId);
  }

  answered(recordId: string, atMs: number, index?: number, destination?: string): void {
    const entry = this.#live.get(recordId)?.[0];
    if (!entry) return;
    entry.answeredAt = isoString(atMs);
    if (index !== undefined) entry.destinationIndex = index;
    if (entry.traffic && destination !== undefined) entry.traffic.destination = destination;
    this.#touch(recordId);
  }

  end(recordId: string): void {
    this.#live.delete(recordId);
    this.#dirty.delete(recordId);
    this.#o.metrics.live.set(this.#live.size);
  }

  /** Records the writer is about to send, with their sequences (for the crash window). */
  sending(records: readonly (readonly [string, number])[]): void {
    this.#o.window?.sending(records);
  }

  /** Records that reached Redis (`written`) or were dropped, counted: the crash window forgets. */
  settled(recordIds: readonly string[], written: boolean): void {
    this.#o.window?.done(recordIds, written);
  }

  /**
   * Records wait while the disk journal holds entries Redis lacks: a record must never reach
   * Redis before its call's entry (the entry would outlive it, and be written again as lost).
   */
  holdsRecords(): boolean {
    return this.#o.disk?.pending ?? false;
  }

  /** Stops beating and reaping; entries stay (a drained gateway has none left). */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#tickTimer);
    clearTimeout(this.#flushTimer);
    await this.#ticking;
    this.#o.window?.close();
  }

  #touch(recordId: string): void {
    const live = this.#live.get(recordId);
    if (!live) return;
    const value = encodeEntryWith(...live);
    this.#dirty.set(recordId, [value, this.#o.window?.note(recordId, value) ?? 0]);
    this.#o.metrics.live.set(this.#live.size);
    if (!this.#flushTimer)
      this.#flushTimer = setTimeout(() => this.#flush(), this.#o.flushMs ?? 100);
  }

  /**
   * One HSET for the batch; while Redis fails, the disk journal takes it, and the next beat
   * that goes through re-sends every live entry.
   */
  #flush(): void {
    this.#flushTimer = undefined;
    const pairs: [string, string][] = [];
    const versions: [string, number][] = [];
    for (const [id, [value, version]] of this.#dirty) {
      pairs.push([id, value]);
      versions.push([id, version]);
    }
    this.#dirty.clear();
    if (pairs.length === 0) return;
    const safe = () => this.#o.window?.inRedis(versions);
    // before the first beat no entry may reach Redis (a reaper would take it for the old life's)
    if (!this.#started || this.#o.disk?.pending) {
      this.#toDisk(pairs, safe);
      return;
    }
    this.#o.redis.hset(this.#key, ...pairs.flat()).then(safe, () => {
      this.#o.metrics.writeFailures.inc();
      this.#resync = true;
      this.#toDisk(pairs, safe);
    });
  }

  /** `safe` once the fsynced file has them (the crash window may then forget them). */
  #toDisk(pairs: [string, string][], safe: () => void): void {
    this.#o.disk?.append(pairs).then(safe, (err: unknown) => {
      this.#o.logger.error({ err, path: this.#o.disk?.path }, 'cannot write the call journal file');
    });
  }

  /**
   * Redis takes every live entry and what the disk journal kept of earlier lives (calls of this
   * life that ended meanwhile stay out: their records follow); then the file is emptied.
   */
  async #push(): Promise<void> {
    const pairs = new Map<string, string>();
    for (const [id, v] of this.#o.disk?.read() ?? []) {
      const life = (() => {
        try {
          return decodeEntry(id, v).life;
        } catch {
          return undefined;
        }
      })();
      if (life !== undefined && life !== this.life) pairs.set(id, v);
    }
    for (const [id, live] of this.#live) pairs.set(id, encodeEntryWith(...live));
    this.#dirty.clear();
    if (pairs.size > 0) await this.#o.redis.hset(this.#key, ...[...pairs].flat());
    if (this.#o.disk?.pending) await this.#o.disk.clear();
  }

  async #tick(): Promise<void> {
    try {
      await (this.#started ? this.#beat() : this.#startLife());
      if (!this.#recovered && this.#o.spoolDrained()) {
        await this.#reaper.recoverOwn(this.life, this.#oldBeat);
        this.#recovered = true;
      }
      await this.#reaper.reapOthers();
    } catch (err) {
      // Redis away is the connection watch's to tell; beats are counted
      this.#o.logger.debug({ err }, 'call journal: heartbeat or reap failed');
    }
    // a start before Redis's connection is up tries again soon: calls wait on disk till then
    const next = this.#started ? this.#o.heartbeatMs : Math.min(this.#o.heartbeatMs, 250);
    if (!this.#closed)
      this.#tickTimer = setTimeout(() => {
        this.#ticking = this.#tick();
      }, next);
  }

  /** Reads the beat of this node's previous life before the first beat overwrites it. */
  async #startLife(): Promise<void> {
    const old = await this.#o.redis.hget(beatsKey(this.#o.stream), this.#o.node);
    // the later of the last beat Redis saw and the last one written to disk while it was away
    const beats = [old === null ? undefined : Number(old), this.#o.disk?.lastBeat];
    const known = beats.filter((b): b is number => b !== undefined);
    if (known.length > 0) this.#oldBeat = Math.max(...known);
    await this.#beat();
    this.#started = true;
  }

  async #beat(): Promise<void> {
    try {
      await beat(this.#redis, this.#o.stream, this.#o.node);
    } catch (err) {
      this.#o.metrics.beatFailures.inc();
      // calls in progress while Redis is away: a restart ends them at the last beat on disk
      if (this.#live.size > 0) void this.#o.disk?.beat(Date.now()).catch(() => undefined);
      throw err;
    }
    // entries noted before the first beat, or kept on disk while Redis failed, go now
    if (!this.#started || this.#resync || this.#o.disk?.pending) {
      this.#resync = false;
      await this.#push().catch((err: unknown) => {
        this.#resync = true;
        throw err;
      });
    }
  }
}
