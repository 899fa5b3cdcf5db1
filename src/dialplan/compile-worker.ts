/**
 * The main thread's side of a long-lived reload worker for one folder. The worker keeps each
 * file's facts; this side keeps each file's decisions (the frozen objects the route table holds,
 * so a reload that reuses them costs no memory beyond one array of pointers). A compile thus
 * moves across the thread boundary only the decisions of files that changed.
 */
import { Worker } from 'node:worker_threads';
import type { RouteDecision } from '../routing/decision.js';
import { NumberIndex } from '../routing/number-index.js';
import { deepFreeze } from '../util/freeze.js';
import { sharedCustomerId } from './compile.js';
import { folderError } from './errors.js';
import type { LoadResult } from './load.js';
import type { WorkerInput, WorkerMessage, WorkerRequest } from './reload-protocol.js';

type Held = { key: string; decisions: readonly RouteDecision[] };

/**
 * The worker runs from the same tree as this file: built .js in production; under tsx (tests,
 * benchmarks) the .ts entry needs tsx registered inside the worker, which Node 20 does not
 * inherit from the parent's --import.
 */
function startWorker(workerData: WorkerInput): Worker {
  if (!import.meta.url.endsWith('.ts'))
    return new Worker(new URL('./reload-worker.js', import.meta.url), { workerData });
  const entry = new URL('./reload-worker.ts', import.meta.url).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(boot, { eval: true, workerData });
}

export class CompileWorker {
  readonly dir: string;
  #worker: Worker | undefined;
  #held = new Map<string, Held>();
  #current: ((m: WorkerMessage | Error) => void) | undefined;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(dir: string) {
    this.dir = dir;
  }

  /** Compiles the folder as it is now; compiles asked for while one runs wait their turn. */
  compile(now: Date): Promise<LoadResult> {
    const run = this.#queue.then(() => this.#compile(now));
    this.#queue = run;
    return run;
  }

  /** Files whose decisions this side holds (for tests: removed files are dropped). */
  get heldFiles(): string[] {
    return [...this.#held.keys()];
  }

  /** Whether a worker thread is running (it is started by the first compile). */
  get running(): boolean {
    return this.#worker !== undefined;
  }

  async stop(): Promise<void> {
    const worker = this.#worker;
    this.#worker = undefined;
    this.#held.clear();
    this.#current?.(new Error('reload worker stopped'));
    if (worker) await worker.terminate();
  }

  #ensureWorker(): Worker {
    if (this.#worker) return this.#worker;
    const worker = startWorker({ dir: this.dir });
    // an idle worker must not keep the process alive; it is only ever waited on through a compile
    worker.unref();
    worker.on('message', (m: WorkerMessage) => this.#current?.(m));
    const lost = (err: Error) => {
      if (this.#worker !== worker) return;
      this.#worker = undefined;
      // its facts are gone; what this side holds is still right, but only a fresh worker knows
      this.#held.clear();
      this.#current?.(err);
    };
    worker.on('error', (err) => lost(new Error(`reload worker failed: ${err.message}`)));
    worker.on('exit', (code) =>
      lost(new Error(`reload worker exited (code ${code}) before finishing`)),
    );
    this.#worker = worker;
    return worker;
  }

  #compile(now: Date): Promise<LoadResult> {
    const worker = this.#ensureWorker();
    return new Promise((resolve) => {
      const acks = new SharedArrayBuffer(4);
      const acked = new Int32Array(acks);
      const decisions: RouteDecision[] = [];
      const next = new Map<string, Held>();
      let pending: RouteDecision[] = [];
      // a compile under way keeps the process alive, as any pending I/O does; an idle worker does not
      worker.ref();
      const settle = (result: LoadResult) => {
        worker.unref();
        this.#current = undefined;
        resolve(result);
      };
      this.#current = (m) => {
        if (m instanceof Error) return settle({ ok: false, errors: [folderError(m.message)] });
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
          const held = m.reused ? this.#held.get(m.file)! : { key: m.key, decisions: pending };
          pending = [];
          next.set(m.file, held);
          for (const d of held.decisions) decisions.push(d);
        } else {
          // what the worker's cache now holds, whatever the verdict; removed files are dropped
          this.#held = next;
          if (m.type === 'done')
            settle({
              ok: true,
              set: { decisions, summary: m.summary, index: new NumberIndex(m.index) },
            });
          else settle({ ok: false, errors: m.errors });
        }
      };
      const held = Object.fromEntries([...this.#held].map(([file, h]) => [file, h.key]));
      const request: WorkerRequest = { type: 'compile', now: now.getTime(), acks, held };
      worker.postMessage(request);
    });
  }
}
