/**
 * Dialplan files opened for editing with `yaml`'s Document API, which keeps comments, key order
 * and layout, so an operation changes only the lines it must. A change is checked as a whole set
 * before anything is written, and each file is replaced atomically.
 */
import { join } from 'node:path';
import { type Document, isMap, isSeq, parseDocument, type YAMLMap, type YAMLSeq } from 'yaml';
import { writeAtomically } from '../../files/write-atomically.js';
import { errorLines } from '../errors.js';
import { loadDialplanDir, loadDialplans } from '../load.js';
import { LifecycleError } from './lifecycle-error.js';

export type EditableFile = { file: string; text: string; doc: Document };
export type EditableSet = { dir: string; files: EditableFile[]; changed: Set<string> };
export type NumberNode = { file: EditableFile; seq: YAMLSeq; index: number; node: YAMLMap };

export async function openSet(dir: string, now: Date): Promise<EditableSet> {
  const loaded = await loadDialplanDir(dir, now);
  if (!loaded.ok) {
    throw new LifecycleError(
      'the dialplans are invalid already; fix them first',
      errorLines(dir, loaded.errors),
    );
  }
  const files = loaded.sources.map(({ file, text }) => ({ file, text, doc: parseDocument(text) }));
  return { dir, files, changed: new Set() };
}

export function numbersOf(file: EditableFile): YAMLSeq | undefined {
  const seq = file.doc.get('numbers', true);
  return isSeq(seq) ? seq : undefined;
}

export function findNumber(set: EditableSet, number: string): NumberNode | undefined {
  for (const file of set.files) {
    const seq = numbersOf(file);
    const index = seq?.items.findIndex((n) => isMap(n) && n.get('number') === number) ?? -1;
    if (seq && index !== -1) return { file, seq, index, node: seq.items[index] as YAMLMap };
  }
  return undefined;
}

export function markChanged(set: EditableSet, file: EditableFile): void {
  set.changed.add(file.file);
}

/**
 * Validates the set as it would be after the change; writes the changed files only if it is
 * valid. Returns the files written.
 */
export async function commit(set: EditableSet, now: Date): Promise<string[]> {
  const texts = set.files.map((f) => ({
    file: f.file,
    text: set.changed.has(f.file) ? f.doc.toString() : f.text,
  }));
  const loaded = loadDialplans(texts, { now });
  if (!loaded.ok)
    throw new LifecycleError(
      'the change was not written: it would make the dialplans invalid',
      errorLines(set.dir, loaded.errors),
    );
  const written: string[] = [];
  for (const { file, text } of texts) {
    if (!set.changed.has(file)) continue;
    await writeAtomically(join(set.dir, file), text);
    written.push(file);
  }
  return written;
}
