/**
 * The facts of each file from the last build, so the next build reads only the files that
 * changed. An entry is used only for the same file name, the same text (by digest) and the same
 * day (quarantine depends on it); the set rules always run on the whole set. Holds at most one
 * entry per file of the last build: `retain` drops the files a build no longer has.
 */
import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';
import type { RouteDecision } from '../routing/decision.js';
import type { FileFacts } from './file-facts.js';
import { readFileFacts } from './file-facts.js';
import type { SetBuilder } from './set-builder.js';

type Entry = { key: string; facts: FileFacts; decisions: readonly RouteDecision[] | undefined };

export type CacheOptions = {
  /**
   * Keep each file's decisions too (the same frozen objects the table holds, so they cost one
   * pointer each). Off where another thread keeps them (the reload worker).
   */
  keepDecisions?: boolean;
};

export type Added = {
  key: string;
  /** Whether the file's facts came from the cache (it was not read again). */
  hit: boolean;
  /** Its decisions; undefined on a hit when the cache keeps none. */
  decisions: readonly RouteDecision[] | undefined;
};

/** A cache's facts as they cross to another thread: structured-cloned, typed arrays transferred. */
export type CacheSnapshot = { entries: [file: string, key: string, facts: FileFacts][] };

export class SetCache {
  readonly #entries = new Map<string, Entry>();
  readonly #keepDecisions: boolean;

  constructor(options: CacheOptions = {}, snapshot?: CacheSnapshot) {
    this.#keepDecisions = options.keepDecisions ?? true;
    for (const [file, key, facts] of snapshot?.entries ?? [])
      this.#entries.set(file, { key, facts, decisions: undefined });
  }

  /**
   * The facts (without decisions) for another thread, and the buffers to transfer with them:
   * a transferred buffer is gone from this side, so the cache is cleared.
   */
  takeSnapshot(): { snapshot: CacheSnapshot; transfer: ArrayBuffer[] } {
    const entries: CacheSnapshot['entries'] = [];
    for (const [file, { key, facts }] of this.#entries) entries.push([file, key, facts]);
    this.#entries.clear();
    const snapshot = { entries };
    return { snapshot, transfer: buffersOf(snapshot) };
  }

  /** Same key, same facts: a digest of the text and the day it was checked against. */
  static keyOf(text: string | Uint8Array, today: Date): string {
    return `${createHash('sha1').update(text).digest('base64')}/${today.getTime()}`;
  }

  /**
   * Adds one file to the builder, replaying its facts when the cache holds them for this text
   * and day (and `usable` agrees), reading it otherwise. `text` may be the file's bytes if they
   * are valid UTF-8: an unchanged file is then never decoded.
   */
  add(
    builder: SetBuilder,
    file: string,
    text: string | Uint8Array,
    usable: (key: string) => boolean = () => true,
  ): Added {
    const key = SetCache.keyOf(text, builder.today);
    const kept = this.#entries.get(file);
    if (kept?.key === key && usable(key)) {
      builder.addFacts(file, text, kept.facts);
      return { key, hit: true, decisions: kept.decisions };
    }
    const decoded =
      typeof text === 'string'
        ? text
        : Buffer.from(text.buffer, text.byteOffset, text.byteLength).toString('utf8');
    const { facts, decisions } = readFileFacts(file, decoded, builder.today);
    builder.addFacts(file, text, facts);
    this.#entries.set(file, { key, facts, decisions: this.#keepDecisions ? decisions : undefined });
    return { key, hit: false, decisions };
  }

  /** Drops the entries of files not in `files` (removed since): memory stays that of one set. */
  retain(files: Iterable<string>): void {
    const keep = new Set(files);
    for (const file of this.#entries.keys()) if (!keep.has(file)) this.#entries.delete(file);
  }

  get keepsDecisions(): boolean {
    return this.#keepDecisions;
  }

  get size(): number {
    return this.#entries.size;
  }

  has(file: string): boolean {
    return this.#entries.has(file);
  }

  clear(): void {
    this.#entries.clear();
  }
}

/** The buffers of a snapshot's typed arrays, to transfer with it. */
export function buffersOf(snapshot: CacheSnapshot): ArrayBuffer[] {
  const buffers: ArrayBuffer[] = [];
  for (const [, , { numbers: n }] of snapshot.entries) {
    if (!n) continue;
    for (const a of [n.values, n.owners, n.geo, n.entryOf, n.hours, n.destSlot])
      buffers.push(a.buffer as ArrayBuffer);
    for (const a of [n.destIndex, n.destMember, n.destValue]) buffers.push(a.buffer as ArrayBuffer);
  }
  return buffers;
}
