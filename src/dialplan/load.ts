/**
 * Dialplan texts → a checked, compiled set, or every problem with file, line and column.
 * `loadDialplans` is pure over its inputs (texts, clock); the `…Dir` functions read the folder.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RouteDecision } from '../routing/decision.js';
import type { NumberIndex } from '../routing/number-index.js';
import type { DialplanError } from './errors.js';
import { SetBuilder, type SetSummary } from './set-builder.js';

export type SourceText = { file: string; text: string };
export type LoadOptions = { now: Date };

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

export async function loadDialplanDir(dir: string, now: Date): Promise<DirLoadResult> {
  const sources = await readDialplanDir(dir);
  return { ...loadDialplans(sources, { now }), sources };
}

export function loadDialplans(sources: readonly SourceText[], options: LoadOptions): LoadResult {
  const builder = new SetBuilder(options.now);
  const decisions: RouteDecision[] = [];
  for (const { file, text } of sources) {
    for (const d of builder.addFile(file, text)) decisions.push(d);
  }
  const texts = new Map(sources.map((s) => [s.file, s.text]));
  const result = builder.finish((file) => texts.get(file) ?? '');
  return result.ok
    ? { ok: true, set: { decisions, summary: result.summary, index: result.index } }
    : result;
}
