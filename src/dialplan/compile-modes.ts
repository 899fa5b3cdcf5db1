/** The two ways a reload compiles a set: on this thread (small sets) or in a worker (large). */
import { Worker } from 'node:worker_threads';
import type { RouteDecision } from '../routing/decision.js';
import { NumberIndex } from '../routing/number-index.js';
import { deepFreeze } from '../util/freeze.js';
import { sharedCustomerId } from './compile.js';
import { folderError } from './errors.js';
import { type LoadResult, loadDialplanDir } from './load.js';
import type { WorkerInput, WorkerMessage } from './reload-protocol.js';

export async function compileInline(dir: string, now: Date): Promise<LoadResult> {
  return await loadDialplanDir(dir, now);
}

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

export function compileInWorker(dir: string, now: Date): Promise<LoadResult> {
  return new Promise((resolve) => {
    const decisions: RouteDecision[] = [];
    const acks = new SharedArrayBuffer(4);
    const acked = new Int32Array(acks);
    const input: WorkerInput = { dir, now: now.getTime(), acks };
    const worker = startWorker(input);
    let settled = false;
    const settle = (c: LoadResult) => {
      if (settled) return;
      settled = true;
      resolve(c);
      void worker.terminate();
    };
    const failure = (message: string) => settle({ ok: false, errors: [folderError(message)] });
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'chunk') {
        // decisions cross the thread boundary as copies; freeze them here, where they are read
        for (const decision of JSON.parse(m.json) as RouteDecision[]) {
          // JSON.parse makes a string per copy; the planner wants one per customer
          if (decision.kind === 'forward')
            (decision as { customerId: string }).customerId = sharedCustomerId(decision.customerId);
          decisions.push(deepFreeze(decision));
        }
        // acknowledged from the next turn of the loop, so the next chunk cannot arrive within this one
        setImmediate(() => {
          Atomics.add(acked, 0, 1);
          Atomics.notify(acked, 0);
        });
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
