/**
 * The whole set checked as it would be after a change, once per change: on this thread for small
 * sets, for large ones through the reloader's own compile worker (a million numbers take seconds
 * to check from scratch, and the gateway's event loop must keep answering calls meanwhile). That
 * worker keeps what it learnt of every unchanged file, so a one-entry change reads one file, and
 * the reload after the write finds that file known too. Only the changed texts are handed over.
 */
import { compileInWorker } from '../compile-modes.js';
import type { DialplanError } from '../errors.js';
import { loadDialplans, type SourceText } from '../load.js';
import type { SetSummary } from '../set-builder.js';

export type CheckResult =
  | { ok: true; summary: SetSummary }
  | { ok: false; errors: DialplanError[] };

export async function checkChange(
  dir: string,
  texts: readonly SourceText[],
  changed: ReadonlySet<string>,
  now: Date,
  workerAboveBytes: number,
): Promise<CheckResult> {
  const bytes = texts.reduce((sum, t) => sum + t.text.length, 0);
  const loaded =
    bytes <= workerAboveBytes
      ? loadDialplans(texts, { now })
      : await compileInWorker(
          dir,
          now,
          dir,
          Object.fromEntries(texts.filter((t) => changed.has(t.file)).map((t) => [t.file, t.text])),
        );
  return loaded.ok ? { ok: true, summary: loaded.set.summary } : loaded;
}
