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
export type LoadOptions = {
  now: Date;
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

export async function readDialplanDir(dir: string): Promise<SourceText[]> {
  const names = await listDialplanFiles(dir);
  return Promise.all(
    names.map(async (file) => ({ file, text: await readFile(join(dir, file), 'utf8') })),
  );
}

/** The texts come along so a caller that edits them (the lifecycle) reads the folder only once. */
export type DirLoadResult = LoadResult & { readonly sources: readonly SourceText[] };

export async function loadDialplanDir(
  dir: string,
  now: Date,
  cache?: SetCache,
): Promise<DirLoadResult> {
  const sources = await readDialplanDir(dir);
  return { ...loadDialplans(sources, { now, ...(cache && { cache }) }), sources };
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
  { now, cache }: LoadOptions,
  needDecisions: boolean,
  take: (decisions: readonly RouteDecision[]) => void,
): BuildResult {
  const builder = new SetBuilder(now);
  const usable = () => !needDecisions || cache!.keepsDecisions;
  for (const { file, text } of sources) {
    if (!cache) take(builder.addFile(file, text));
    else take(cache.add(builder, file, text, usable).decisions ?? []);
  }
  cache?.retain(sources.map((s) => s.file));
  const texts = new Map(sources.map((s) => [s.file, s.text]));
  return builder.finish((file) => texts.get(file) ?? '');
}
