/**
 * The main thread's side of the reload workers of one folder. A worker compiles once and exits,
 * so nothing of a full load's parsing outlives it; what it learnt of each file (compact facts,
 * a few MB per 100k numbers) comes back and goes to the next worker, its typed arrays moved, not
 * copied. This side keeps each file's decisions: the frozen objects the route table holds, so a
 * reload that reuses them costs one array of pointers. Only the decisions of changed files cross
 * the thread boundary.
 */
import { Worker } from 'node:worker_threads';
import type { RouteDecision } from '../routing/decision.js';
import { NumberIndex } from '../routing/number-index.js';
import { deepFreeze } from '../util/freeze.js';
import { sharedCustomerId } from './compile.js';
import { folderError } from './errors.js';
import type { LoadResult } from './load.js';
import type { WorkerInput, WorkerMessage } from './reload-protocol.js';
import { buffersOf, type CacheSnapshot } from './set-cache.js';

type Held = { key: string; decisions: readonly RouteDecision[] };

const EMPTY: CacheSnapshot = { entries: [] };

/**
 * The worker runs from the same tree as this file: built .js in production; under tsx (tests,
 * benchmarks) the .ts entry needs tsx registered inside the worker, which Node 20 does not
 * inherit from the parent's --import.
 */
function startWorker(workerData: WorkerInput): Worker {
  const transferList = buffersOf(workerData.cache);
  if (!import.meta.url.endsWith('.ts'))
    return new Worker(new URL('./reload-worker.js', import.meta.url), {
      workerData,
      transferList,
    });
  const entry = new URL('./reload-worker.ts', import.meta.url).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(boot, { eval: true, workerData, transferList });
}

export class CompileWorker {
  readonly dir: string;
  #cache: CacheSnapshot = EMPTY;
  #held = new Map<string, Held>();
  #queue: Promise<unknown> = Promise.resolve();

  constructor(dir: string) {
    this.dir = dir;
  }

  /** Compiles the folder (its own, or another with mostly the same files) as it is now; compiles asked for while one runs wait their turn. */
  compile(now: Date, dir = this.dir, changed?: Record<string, string>): Promise<LoadResult> {
    const run = this.#queue.then(() => this.#compile(now, dir, changed));
    this.#queue = run;
    return run;
  }

  /** Files whose decisions this side holds (removed files are dropped). */
  get heldFiles(): string[] {
    return [...this.#held.keys()].sort();
  }

  /** Files whose facts the next worker starts from. */
  get cachedFiles(): string[] {
    return this.#cache.entries.map(([file]) => file).sort();
  }

  /** Forgets everything: the next compile reads every file. */
  clear(): void {
    this.#cache = EMPTY;
    this.#held.clear();
  }

  #compile(now: Date, dir: string, changed?: Record<string, string>): Promise<LoadResult> {
    return new Promise((resolve) => {
      const acks = new SharedArrayBuffer(4);
      const acked = new Int32Array(acks);
      const held = Object.fromEntries([...this.#held].map(([file, h]) => [file, h.key]));
      // moved to the worker; it sends the next compile's back (a worker that fails keeps them)
      const cache = this.#cache;
      this.#cache = EMPTY;
      const worker = startWorker({
        dir,
        now: now.getTime(),
        acks,
        held,
        cache,
        ...(changed && { changed }),
      });
      const decisions: RouteDecision[] = [];
      const next = new Map<string, Held>();
      let pending: RouteDecision[] = [];
      let settled = false;
      const settle = (result: LoadResult) => {
        if (settled) return;
        settled = true;
        resolve(result);
        void worker.terminate();
      };
      const failure = (message: string) => settle({ ok: false, errors: [folderError(message)] });
      worker.on('message', (m: WorkerMessage) => {
        if (m.type === 'chunk') {
          // decisions cross the thread boundary as copies; freeze them here, where they are read
          for (const decision of JSON.parse(m.json) as RouteDecision[]) {
            // JSON.parse makes a string per copy; the planner wants one per customer
            if (decision.kind === 'forward')
              (decision as { customerId: string }).customerId = sharedCustomerId(
                decision.customerId,
              );
            pending.push(deepFreeze(decision));
          }
          // acknowledged from the next turn of the loop, so the next chunk cannot arrive within this one
          setImmediate(() => {
            Atomics.add(acked, 0, 1);
            Atomics.notify(acked, 0);
          });
        } else if (m.type === 'file') {
          const h = m.reused ? this.#held.get(m.file)! : { key: m.key, decisions: pending };
          pending = [];
          next.set(m.file, h);
          for (const d of h.decisions) decisions.push(d);
        } else if (m.type === 'cache') {
          // what the next worker starts from, whatever this compile's verdict; removed files are gone
          this.#cache = m.cache;
          this.#held = next;
        } else if (m.type === 'done') {
          settle({
            ok: true,
            set: { decisions, summary: m.summary, index: new NumberIndex(m.index) },
          });
        } else settle({ ok: false, errors: m.errors });
      });
      worker.on('error', (err) => failure(`reload worker failed: ${err.message}`));
      worker.on('exit', (code) => failure(`reload worker exited (code ${code}) before finishing`));
    });
  }
}
