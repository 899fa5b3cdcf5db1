/**
 * Dialplan texts → a checked, compiled set, or every problem with file, line and column.
 * `loadDialplans` is pure over its inputs (texts, clock); the `…Dir` functions read the folder.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RouteDecision } from '../routing/decision.js';
import type { NumberIndex } from '../routing/number-index.js';
import type { DialplanError } from './errors.js';
import { type BuildResult, SetBuilder, type SetSummary } from './set-builder.js';
import type { SetCache } from './set-cache.js';

export type SourceText = { file: string; text: string };

/**
 * How far a load has come, for a progress display: as each stage begins, after each file read, after each file checked
 * (numbers so far, and the share of the text checked: files differ in size), and once before the
 * rules over the whole set. Once per file, never per number: the per-entry path stays as it is.
 */
export type LoadProgress =
  | { stage: 'read'; files: number; totalFiles: number }
  | {
      stage: 'check';
      files: number;
      totalFiles: number;
      numbers: number;
      size: number;
      totalSize: number;
    }
  | { stage: 'set-rules'; files: number; numbers: number };
export type OnLoadProgress = (p: LoadProgress) => void;

export type LoadOptions = {
  now: Date;
  onProgress?: OnLoadProgress;
  /**
   * Facts of the files of an earlier call: unchanged files are not read again. The result is
   * the same with or without; a cache serves one dialplan folder (or one caller's texts of it).
   */
  cache?: SetCache;
};

export type CompiledSet = { decisions: RouteDecision[]; summary: SetSummary; index: NumberIndex };
export type LoadResult = { ok: true; set: CompiledSet } | { ok: false; errors: DialplanError[] };

/** Dialplans are *.yaml / *.yml; dot files are editors' and our own temp files. */
export function isDialplanFile(name: string): boolean {
  return /\.ya?ml$/i.test(name) && !name.startsWith('.');
}

export async function listDialplanFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter(isDialplanFile).sort();
}

export async function readDialplanDir(
  dir: string,
  onProgress?: OnLoadProgress,
): Promise<SourceText[]> {
  const names = await listDialplanFiles(dir);
  let files = 0;
  onProgress?.({ stage: 'read', files, totalFiles: names.length });
  return Promise.all(
    names.map(async (file) => {
      const text = await readFile(join(dir, file), 'utf8');
      onProgress?.({ stage: 'read', files: ++files, totalFiles: names.length });
      return { file, text };
    }),
  );
}

/** The texts come along so a caller that edits them (the lifecycle) reads the folder only once. */
export type DirLoadResult = LoadResult & { readonly sources: readonly SourceText[] };

export async function loadDialplanDir(
  dir: string,
  now: Date,
  cache?: SetCache,
  onProgress?: OnLoadProgress,
): Promise<DirLoadResult> {
  const sources = await readDialplanDir(dir, onProgress);
  const options = { now, ...(cache && { cache }), ...(onProgress && { onProgress }) };
  return { ...loadDialplans(sources, options), sources };
}

export function loadDialplans(sources: readonly SourceText[], options: LoadOptions): LoadResult {
  const decisions: RouteDecision[] = [];
  // a cache that keeps no decisions is used for reading only: this caller needs them all
  const result = build(sources, options, true, (added) => {
    for (const d of added) decisions.push(d);
  });
  return result.ok
    ? { ok: true, set: { decisions, summary: result.summary, index: result.index } }
    : result;
}

export type CheckResult =
  | { ok: true; summary: SetSummary }
  | { ok: false; errors: DialplanError[] };

/**
 * The same checks as `loadDialplans` for a caller that needs the verdict, not the routes (a
 * write's validation): with a `SetCache({ keepDecisions: false })` it keeps only the compact facts,
 * never a second copy of a million decisions beside the ones the route table holds.
 */
export function checkDialplans(sources: readonly SourceText[], options: LoadOptions): CheckResult {
  const result = build(sources, options, false, () => {});
  return result.ok ? { ok: true, summary: result.summary } : result;
}

function build(
  sources: readonly SourceText[],
  { now, cache, onProgress }: LoadOptions,
  needDecisions: boolean,
  take: (decisions: readonly RouteDecision[]) => void,
): BuildResult {
  const builder = new SetBuilder(now);
  const usable = () => !needDecisions || cache!.keepsDecisions;
  const totalFiles = sources.length;
  const totalSize = onProgress ? sources.reduce((sum, s) => sum + s.text.length, 0) : 0;
  let size = 0;
  onProgress?.({ stage: 'check', files: 0, totalFiles, numbers: 0, size, totalSize });
  for (const [i, { file, text }] of sources.entries()) {
    if (!cache) take(builder.addFile(file, text));
    else take(cache.add(builder, file, text, usable).decisions ?? []);
    if (!onProgress) continue;
    size += text.length;
    const numbers = builder.numberCount;
    onProgress({ stage: 'check', files: i + 1, totalFiles, numbers, size, totalSize });
  }
  onProgress?.({ stage: 'set-rules', files: totalFiles, numbers: builder.numberCount });
  cache?.retain(sources.map((s) => s.file));
  const texts = new Map(sources.map((s) => [s.file, s.text]));
  return builder.finish((file) => texts.get(file) ?? '');
}
