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
function recent<T>(map: Map<string, T>, dir: string, make: () => T, drop: (v: T) => void): T {
  const found = map.get(dir);
  map.delete(dir);
  const value = found ?? make();
  map.set(dir, value);
  for (const [old, v] of map) {
    if (map.size <= MAX_FOLDERS) break;
    map.delete(old);
    drop(v);
  }
  return value;
}

export async function compileInline(dir: string, now: Date): Promise<LoadResult> {
  const cache = recent(
    caches,
    dir,
    () => new SetCache(),
    () => {},
  );
  return await loadDialplanDir(dir, now, cache);
}

export function compileInWorker(dir: string, now: Date): Promise<LoadResult> {
  const worker = recent(
    workers,
    dir,
    () => new CompileWorker(dir),
    (w) => void w.stop(),
  );
  return worker.compile(now);
}

/** The worker compiling `dir`, if one has been started (for tests and benchmarks). */
export function compileWorkerOf(dir: string): CompileWorker | undefined {
  return workers.get(dir);
}

/** Stops every reload worker and forgets every folder: for shutdown and tests. */
export async function stopCompilers(): Promise<void> {
  caches.clear();
  const all = [...workers.values()];
  workers.clear();
  await Promise.all(all.map((w) => w.stop()));
}
