/**
 * Owns the admin API's writes to the dialplan files, one at a time in this process. Each change
 * reads the folder, compares the caller's If-Match with the version of the files on disk (so a
 * hand edit since the caller's read is a 412 too), lets the edit change the touched files as
 * `yaml` documents, checks the whole resulting set through the loader once, writes the changed
 * files atomically and waits for the gateway's reload, so the answer's ETag is the version the
 * gateway now serves. A refused change writes nothing.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { checkChange } from '../dialplan/lifecycle/check-change.js';
import {
  changedTexts,
  type EditableSet,
  readSet,
  versionOf,
  writeChanged,
} from '../dialplan/lifecycle/documents.js';
import { LifecycleError } from '../dialplan/lifecycle/lifecycle-error.js';
import { fieldErrors, type Touched } from './error-pointers.js';
import type { DialplanHistory } from './history.js';
import { Problem } from './problem.js';

export type StoreDeps = {
  dir: string;
  now: () => Date;
  /** The running gateway's reload (Reloader.reload); its version is the answer's ETag. */
  reload: () => Promise<{ ok: true; version: string } | { ok: false }>;
  history?: DialplanHistory;
  /** Sets larger than this (bytes of YAML) are checked in a worker thread. */
  workerAboveBytes?: number;
};

/** What an edit did, for the answer and the audit. */
export type Edit = {
  readonly touched: readonly Touched[];
  readonly before?: unknown;
  readonly after?: unknown;
  readonly changedNumbers?: readonly string[];
};

export type ChangeOptions = {
  /** The version the caller read (If-Match, unquoted): alternatives, any may match. */
  readonly ifMatch: readonly string[];
  readonly dryRun: boolean;
  /** Who, for the history: `api:<token name>`. */
  readonly origin: string;
};

export type Changed<E extends Edit> = E & {
  readonly versionBefore: string;
  readonly versionAfter: string;
  /** Files written, or that a dry run would write. */
  readonly files: readonly string[];
  readonly dryRun: boolean;
};

export class DialplanStore {
  #tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: StoreDeps) {}

  /** Runs `edit` on the files as they are now, under the version check; see the file comment. */
  change<E extends Edit>(
    options: ChangeOptions,
    edit: (set: EditableSet, now: Date) => E,
  ): Promise<Changed<E>> {
    const run = this.#tail.then(() => this.#change(options, edit));
    this.#tail = run.catch(() => undefined);
    return run;
  }

  /** Reads the files as they are now, outside the write queue (reads never wait for writes). */
  async read(): Promise<{ set: EditableSet; version: string }> {
    const set = await readSet(this.deps.dir);
    return { set, version: await versionOf(set.sources) };
  }

  async #change<E extends Edit>(
    options: ChangeOptions,
    edit: (set: EditableSet, now: Date) => E,
  ): Promise<Changed<E>> {
    const { set, version: versionBefore } = await this.read();
    if (!options.ifMatch.includes(versionBefore))
      throw new Problem(
        412,
        `the dialplan changed since it was read: its version is now "${versionBefore}"; read it again and retry`,
        { ETag: `"${versionBefore}"` },
      );
    const now = this.deps.now();
    // the texts the edit starts from, to see just before writing that nobody changed them since
    const original = new Map(set.sources.map((s) => [s.file, s.text]));
    const done = refusalsAsProblems(() => edit(set, now));
    const texts = changedTexts(set);
    const result = await checkChange(
      this.deps.dir,
      texts,
      set.changed,
      now,
      this.deps.workerAboveBytes ?? Number.POSITIVE_INFINITY,
    );
    if (!result.ok)
      throw Problem.invalid(
        'the change was not written: it would make the dialplans invalid',
        fieldErrors(result.errors, texts, done.touched),
      );
    const versionAfter = result.summary.version;
    const files = texts.filter((t) => set.changed.has(t.file)).map((t) => t.file);
    const answer = { ...done, versionBefore, versionAfter, files, dryRun: options.dryRun };
    if (options.dryRun || versionAfter === versionBefore) return answer;
    await this.#unchangedSinceRead(set, original);
    await writeChanged(set, texts);
    const numbers = result.summary.activeNumbers + result.summary.deactivatedNumbers;
    this.deps.history?.record({
      version: versionAfter,
      at: now.toISOString(),
      origin: options.origin,
      numbers,
    });
    const reloaded = await this.deps.reload();
    // the reload reads the folder again: a hand edit right after ours is what it serves then
    return { ...answer, versionAfter: reloaded.ok ? reloaded.version : versionAfter };
  }

  /**
   * A file written by hand while this change was checked would be overwritten by it: refused
   * (412) instead. Only the files this change writes are read again, and they are few and small.
   */
  async #unchangedSinceRead(set: EditableSet, original: ReadonlyMap<string, string>) {
    for (const file of set.changed) {
      const current = await readFile(join(this.deps.dir, file), 'utf8').catch(() => undefined);
      if (current !== original.get(file))
        throw new Problem(
          412,
          `${file} changed on disk while this change was checked; read the dialplan again and retry`,
        );
    }
  }
}

/** The lifecycle's refusals as the API answers them. */
function refusalsAsProblems<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (!(err instanceof LifecycleError)) throw err;
    const status = { 'not-found': 404, conflict: 409, invalid: 422 }[err.reason];
    throw new Problem(status, err.message);
  }
}
