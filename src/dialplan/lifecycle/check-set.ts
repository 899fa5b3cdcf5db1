/**
 * The whole set checked as it would be after a change, once per change: on this thread for small
 * sets, in a worker for large ones (a million numbers take seconds to check, and the gateway's
 * event loop must keep answering calls meanwhile). The worker reads the unchanged files itself;
 * only the changed texts are handed over.
 */
import { Worker } from 'node:worker_threads';
import { type DialplanError, folderError } from '../errors.js';
import { loadDialplans, type SourceText } from '../load.js';
import type { SetSummary } from '../set-builder.js';

export type CheckInput = {
  dir: string;
  now: number;
  /** Every file of the set after the change, in load order. */
  files: string[];
  /** The new texts of the changed files. */
  changed: Record<string, string>;
};

export type CheckResult =
  | { ok: true; summary: SetSummary }
  | { ok: false; errors: DialplanError[] };

export async function checkSet(
  dir: string,
  texts: readonly SourceText[],
  changed: ReadonlySet<string>,
  now: Date,
  workerAboveBytes: number,
): Promise<CheckResult> {
  const bytes = texts.reduce((sum, t) => sum + t.text.length, 0);
  if (bytes <= workerAboveBytes) {
    const loaded = loadDialplans(texts, { now });
    return loaded.ok ? { ok: true, summary: loaded.set.summary } : loaded;
  }
  const input: CheckInput = {
    dir,
    now: now.getTime(),
    files: texts.map((t) => t.file),
    changed: Object.fromEntries(
      texts.filter((t) => changed.has(t.file)).map((t) => [t.file, t.text]),
    ),
  };
  return new Promise((resolve) => {
    const worker = startWorker(input);
    let settled = false;
    const settle = (r: CheckResult) => {
      if (settled) return;
      settled = true;
      resolve(r);
      void worker.terminate();
    };
    worker.on('message', (m: CheckResult) => settle(m));
    worker.on('error', (err) =>
      settle({ ok: false, errors: [folderError(`check worker failed: ${err.message}`)] }),
    );
    worker.on('exit', (code) =>
      settle({
        ok: false,
        errors: [folderError(`check worker exited (code ${code}) before finishing`)],
      }),
    );
  });
}

/** As the reload's worker: built .js in production, the .ts entry through tsx under tests. */
function startWorker(workerData: CheckInput): Worker {
  if (!import.meta.url.endsWith('.ts'))
    return new Worker(new URL('./check-worker.js', import.meta.url), { workerData });
  const entry = new URL('./check-worker.ts', import.meta.url).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(boot, { eval: true, workerData });
}
