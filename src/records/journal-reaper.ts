/**
 * The call journal's reaper: writes the calls of a lost node (its beat older than `lostMs`), or
 * of this node's previous life after a restart, as `node-lost` records through the reap script
 * (journal-redis.ts), which writes a call only while it removes its entry, so two reapers never
 * write one call twice.
 */
import type { Logger } from '../observability/logger.js';
import type { JournalEntry } from './journal-entry.js';
import type { JournalMetrics } from './journal-metrics.js';
import {
  type defineJournal,
  type JournalTarget,
  readBeats,
  readJournal,
  reap,
} from './journal-redis.js';
import { journalKey } from './record-keys.js';

/** Entries per reap script: keeps one script's run short. */
const REAP_CHUNK = 200;

export type ReaperOptions = JournalTarget & {
  redis: ReturnType<typeof defineJournal>;
  node: string;
  lostMs: number;
  logger: Logger;
  metrics: JournalMetrics;
};

export class JournalReaper {
  readonly #o: ReaperOptions;

  constructor(options: ReaperOptions) {
    this.#o = options;
  }

  /**
   * Entries of this node's previous lives (any but `life`): its calls when it died, ended at
   * `oldBeat`, its last beat before this life.
   */
  async recoverOwn(life: string, oldBeat: number | undefined): Promise<void> {
    const { entries, bad } = await readJournal(this.#o.redis, this.#o.stream, this.#o.node);
    this.#logBad(this.#o.node, bad);
    const old = [...entries.values()].filter((e) => e.life !== life);
    // no beat known (never written, or removed): each call ends at its own start or answer
    const written = await this.#reapAll(this.#o.node, '', old, oldBeat ?? 0);
    if (written > 0) {
      this.#o.metrics.orphans.inc({ of: 'self' }, written);
      this.#o.logger.warn(
        { calls: written, lastBeat: oldBeat && new Date(oldBeat).toISOString() },
        "call journal: this node's calls from before its restart written as endedBy node-lost",
      );
    }
  }

  async reapOthers(): Promise<void> {
    const { now, beats } = await readBeats(this.#o.redis, this.#o.stream);
    for (const [node, text] of beats) {
      const at = Number(text);
      if (node === this.#o.node || !(now - at > this.#o.lostMs)) continue;
      const { entries, bad } = await readJournal(this.#o.redis, this.#o.stream, node);
      this.#logBad(node, bad);
      const written = await this.#reapAll(node, text, [...entries.values()], at);
      if (written <= 0) continue;
      this.#o.metrics.orphans.inc({ of: 'other' }, written);
      this.#o.logger.warn(
        { node, calls: written, lastBeat: new Date(at).toISOString() },
        'call journal: a lost node’s calls written as endedBy node-lost',
      );
    }
  }

  /** In chunks; at least one script run, so a lost node without entries loses its beat. */
  async #reapAll(
    node: string,
    expected: string,
    entries: readonly JournalEntry[],
    endMs: number,
  ): Promise<number> {
    const target: JournalTarget = { stream: this.#o.stream };
    if (this.#o.trafficStream) target.trafficStream = this.#o.trafficStream;
    let written = 0;
    for (let i = 0; i === 0 || i < entries.length; i += REAP_CHUNK) {
      const chunk = entries.slice(i, i + REAP_CHUNK);
      const n = await reap(this.#o.redis, target, node, expected, chunk, endMs);
      if (n < 0) break;
      written += n;
    }
    return written;
  }

  #logBad(node: string, bad: readonly string[]): void {
    if (bad.length > 0)
      this.#o.logger.error(
        { node, records: bad, key: journalKey(this.#o.stream, node) },
        'call journal: entries that cannot be read are left in place (no record written for them)',
      );
  }
}
