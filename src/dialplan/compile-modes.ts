/**
 * The two ways a reload compiles a set: on this thread (small sets) or in a worker (large).
 * Both keep what they learnt of each file for the next reload of the same folder, so a reload
 * after a one-file change reads and checks that file only, then the set rules on the whole set.
 */
import { CompileWorker } from './compile-worker.js';
import { type LoadResult, loadDialplanDir } from './load.js';
import { SetCache } from './set-cache.js';

/** Folders remembered at once: a gateway has one; tests may open many, one after another. */
const MAX_FOLDERS = 2;

const caches = new Map<string, SetCache>();
const workers = new Map<string, CompileWorker>();

/** The most recently used value for `dir`, made when missing; the least recent beyond the bound is dropped. */
function recent<T>(map: Map<string, T>, dir: string, make: () => T): T {
  const found = map.get(dir);
  map.delete(dir);
  const value = found ?? make();
  map.set(dir, value);
  for (const old of map.keys()) {
    if (map.size <= MAX_FOLDERS) break;
    map.delete(old);
  }
  return value;
}

/** `key`: whose cache to use (the folder, unless its caller reads from changing folders). */
export async function compileInline(dir: string, now: Date, key = dir): Promise<LoadResult> {
  return await loadDialplanDir(
    dir,
    now,
    recent(caches, key, () => new SetCache()),
  );
}

/**
 * `changed`: texts in place of the folder's (a change checked before it is written). The same
 * worker's cache serves the check and the reload after the write: each reads one file.
 */
export function compileInWorker(
  dir: string,
  now: Date,
  key = dir,
  changed?: Record<string, string>,
): Promise<LoadResult> {
  return recent(workers, key, () => new CompileWorker(dir)).compile(now, dir, changed);
}

/** What the reload workers of `dir` keep between compiles, if any compiled it (for tests). */
export function compileWorkerOf(dir: string): CompileWorker | undefined {
  return workers.get(dir);
}

/** Forgets every folder: the next compile of each reads every file. */
export function forgetCompiles(): void {
  caches.clear();
  workers.clear();
}
