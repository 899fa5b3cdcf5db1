/**
 * Owns the current RouteTable and replaces it atomically when a reload succeeds. Reloads never
 * overlap: one asked for while another runs waits and runs once for all such requests. A failed
 * reload leaves the current table answering. Where a reload reads its set is asked for when it
 * starts: the dialplan folder (files source), or the snapshot a follower staged (redis source).
 */

import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { RouteTable } from '../routing/route-table.js';
import { compileInline, compileInWorker } from './compile-modes.js';
import { type DialplanError, folderError } from './errors.js';
import { type CompiledSet, isDialplanFile, type LoadResult } from './load.js';
import { buildTable, type CountryName } from './table.js';

/** `dir`: the folder this reload read, so errors and publishing name the right files. */
export type ReloadOutcome =
  | {
      ok: true;
      changed: boolean;
      version: string;
      numbers: number;
      durationMs: number;
      mode: Mode;
      dir: string;
    }
  | { ok: false; errors: DialplanError[]; durationMs: number; mode: Mode; dir: string };
type Mode = 'inline' | 'worker';

export type ReloaderOptions = {
  /** A fixed folder, or a function asked at the start of every reload. */
  dir: string | (() => string);
  defaultCountry: CountryName;
  /** Sets larger than this (bytes of YAML) compile in a worker thread. */
  workerThresholdBytes: number;
  now: () => Date;
  onOutcome?: (outcome: ReloadOutcome, table: RouteTable) => void;
};

let instances = 0;

export class Reloader {
  readonly #options: ReloaderOptions;
  #table: RouteTable;
  #running: Promise<ReloadOutcome> | undefined;
  #queued: Promise<ReloadOutcome> | undefined;
  #loaded = false;
  readonly #instance = `reloader-${++instances}`;

  constructor(options: ReloaderOptions) {
    this.#options = options;
    this.#table = RouteTable.empty(options.defaultCountry);
  }

  /** The table to answer the next call with; hold on to it for the whole call. */
  get table(): RouteTable {
    return this.#table;
  }

  /** Whether a valid set has been loaded since start: until then the gateway is not ready. */
  get loaded(): boolean {
    return this.#loaded;
  }

  reload(): Promise<ReloadOutcome> {
    if (this.#queued) return this.#queued;
    if (this.#running) {
      this.#queued = this.#running.then(() => {
        this.#queued = undefined;
        return this.#start();
      });
      return this.#queued;
    }
    return this.#start();
  }

  #start(): Promise<ReloadOutcome> {
    const run = this.#run();
    this.#running = run;
    void run.finally(() => {
      if (this.#running === run) this.#running = undefined;
    });
    return run;
  }

  /**
   * What this reloader's compiles keep between runs is found by this key, not by the folder: a
   * follower reads every snapshot from a folder of its own, and its files are the same but one.
   */
  get #cacheKey(): string {
    const { dir } = this.#options;
    return typeof dir === 'string' ? dir : this.#instance;
  }

  async #run(): Promise<ReloadOutcome> {
    const { now } = this.#options;
    const dir = typeof this.#options.dir === 'string' ? this.#options.dir : this.#options.dir();
    const started = performance.now();
    const mode: Mode =
      (await yamlBytes(dir).catch(() => 0)) > this.#options.workerThresholdBytes
        ? 'worker'
        : 'inline';
    const at = now();
    const compiled: LoadResult = await (mode === 'worker'
      ? compileInWorker(dir, at, this.#cacheKey)
      : compileInline(dir, at, this.#cacheKey)
    ).catch(
      (err: Error): LoadResult => ({
        ok: false,
        errors: [folderError(`cannot read dialplans: ${err.message}`)],
      }),
    );
    const durationMs = Math.round(performance.now() - started);
    const outcome = compiled.ok
      ? this.#swap(compiled.set, at, durationMs, mode, dir)
      : { ok: false as const, errors: compiled.errors, durationMs, mode, dir };
    this.#options.onOutcome?.(outcome, this.#table);
    return outcome;
  }

  #swap(
    compiled: CompiledSet,
    at: Date,
    durationMs: number,
    mode: Mode,
    dir: string,
  ): ReloadOutcome {
    const { summary, decisions, index } = compiled;
    const changed = !this.#loaded || summary.version !== this.#table.info.version;
    this.#loaded = true;
    if (changed)
      this.#table = buildTable(decisions, summary, index, this.#options.defaultCountry, at);
    return {
      ok: true,
      changed,
      version: summary.version,
      numbers: decisions.length,
      durationMs,
      mode,
      dir,
    };
  }
}

async function yamlBytes(dir: string): Promise<number> {
  const names = (await readdir(dir)).filter(isDialplanFile);
  const sizes = await Promise.all(names.map((n) => stat(join(dir, n)).then((s) => s.size)));
  return sizes.reduce((a, b) => a + b, 0);
}
