/**
 * Dialplan files opened for editing with `yaml`'s Document API, which keeps comments, key order
 * and layout, so an operation changes only the lines it must. Only the files an operation touches
 * are parsed as documents (a set of a million numbers is 100+ MB of YAML): the others stay text,
 * and a number or customer is found by a text search first. A change is checked as a whole set
 * before anything is written, and each file is replaced atomically.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { type Document, isMap, isSeq, parseDocument, type YAMLMap, type YAMLSeq } from 'yaml';
import { writeAtomically } from '../../files/write-atomically.js';
import { type DialplanError, errorLines } from '../errors.js';
import {
  type LoadResult,
  loadDialplans,
  type OnLoadProgress,
  readDialplanDir,
  type SourceText,
} from '../load.js';
import { keepLayout } from './keep-layout.js';
import { LifecycleError } from './lifecycle-error.js';
import { applyRegions, numberRegion, type Region } from './regions.js';

/** A file, or one entry's region of it (regions.ts), opened for editing. */
export type EditableFile = {
  readonly file: string;
  readonly doc: Document;
  readonly region?: Region;
};
export type EditableSet = {
  readonly dir: string;
  /** Every file of the folder, in load order, as read. */
  readonly sources: SourceText[];
  /** Files parsed for editing so far. */
  readonly docs: Map<string, Document>;
  /** Single entries of files not parsed as a whole (regions.ts). */
  readonly regions: Map<string, Region[]>;
  /** Files edited, and files to create (`created`). */
  readonly changed: Set<string>;
};
export type NumberNode = { file: EditableFile; seq: YAMLSeq; index: number; node: YAMLMap };

/** Reads the folder; parses nothing yet. */
export async function readSet(dir: string, onProgress?: OnLoadProgress): Promise<EditableSet> {
  return {
    dir,
    sources: await readDialplanDir(dir, onProgress),
    docs: new Map(),
    regions: new Map(),
    changed: new Set(),
  };
}

/** Reads the folder and refuses to edit a set that is invalid already (the CLI's rule). */
export async function openSet(
  dir: string,
  now: Date,
  onProgress?: OnLoadProgress,
): Promise<EditableSet> {
  const set = await readSet(dir, onProgress);
  const loaded = loadDialplans(set.sources, { now, ...(onProgress && { onProgress }) });
  if (!loaded.ok) {
    throw new LifecycleError(
      'the dialplans are invalid already; fix them first',
      errorLines(dir, loaded.errors),
    );
  }
  return set;
}

/**
 * The version the loader gives these texts (its content hash), without loading them. File by
 * file, letting the event loop run in between: 100+ MB take a while to hash.
 */
export async function versionOf(sources: readonly SourceText[]): Promise<string> {
  const hash = createHash('sha256');
  for (const { file, text } of sources) {
    hash.update(file).update('\0').update(text).update('\0');
    await new Promise((resolve) => setImmediate(resolve));
  }
  return hash.digest('hex').slice(0, 16);
}

export function hasFile(set: EditableSet, file: string): boolean {
  return set.sources.some((s) => s.file === file);
}

/**
 * The file as a document, parsed on first use. Regions of it edited so far are rendered into it;
 * nodes found in those regions must not be edited after this (find, then edit, at once).
 */
export function editable(set: EditableSet, file: string): EditableFile {
  let doc = set.docs.get(file);
  if (!doc) {
    const source = set.sources.find((s) => s.file === file);
    if (!source) throw new Error(`${file} is not in the set`);
    // entries edited as regions so far are part of the whole file from now on
    const regions = set.regions.get(file);
    set.regions.delete(file);
    doc = parseDocument(regions ? applyRegions(source.text, regions) : source.text);
    set.docs.set(file, doc);
  }
  return { file, doc };
}

/** A new file (`version: 1`), created in load order when the change is written. */
export function createFile(set: EditableSet, file: string): EditableFile {
  const text = 'version: 1\n';
  set.sources.push({ file, text });
  set.sources.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  set.changed.add(file);
  return editable(set, file);
}

/** Files whose text mentions `needle`: the only ones worth parsing to find an entry. */
export function filesMentioning(set: EditableSet, needle: string): string[] {
  return set.sources.filter((s) => s.text.includes(needle)).map((s) => s.file);
}

export function numbersOf(file: EditableFile): YAMLSeq | undefined {
  const seq = file.doc.get('numbers', true);
  return isSeq(seq) ? seq : undefined;
}

export function customersOf(file: EditableFile): YAMLSeq | undefined {
  const seq = file.doc.get('customers', true);
  return isSeq(seq) ? seq : undefined;
}

export function findNumber(set: EditableSet, number: string): NumberNode | undefined {
  for (const name of filesMentioning(set, number)) {
    const region = set.docs.has(name) ? undefined : regionOf(set, name, number);
    if (region) {
      const index = region.seq.items.findIndex((n) => isMap(n) && n.get('number') === number);
      const file = { file: name, doc: region.doc, region };
      return { file, seq: region.seq, index, node: region.seq.items[index] as YAMLMap };
    }
    const file = editable(set, name);
    const seq = numbersOf(file);
    const index = seq?.items.findIndex((n) => isMap(n) && n.get('number') === number) ?? -1;
    if (seq && index !== -1) return { file, seq, index, node: seq.items[index] as YAMLMap };
  }
  return undefined;
}

export type CustomerNode = { file: EditableFile; seq: YAMLSeq; index: number; node: YAMLMap };

/** Files where `id: <id>` or `customer: <id>` may stand (block or flow style, quoted or not). */
function filesNamingCustomer(set: EditableSet, id: string): string[] {
  const escaped = id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = new RegExp(`(?:id|customer)["']?\\s*:\\s*["']?${escaped}(?![a-z0-9._-])`);
  return set.sources.filter((s) => s.text.includes(id) && re.test(s.text)).map((s) => s.file);
}

export function findCustomer(set: EditableSet, id: string): CustomerNode | undefined {
  for (const name of filesNamingCustomer(set, id)) {
    const file = editable(set, name);
    const seq = customersOf(file);
    const index = seq?.items.findIndex((c) => isMap(c) && c.get('id') === id) ?? -1;
    if (seq && index !== -1) return { file, seq, index, node: seq.items[index] as YAMLMap };
  }
  return undefined;
}

/** Every number entry of a customer, in load order (only files naming the customer are parsed). */
export function customerNumbers(set: EditableSet, id: string): NumberNode[] {
  const out: NumberNode[] = [];
  for (const name of filesNamingCustomer(set, id)) {
    const file = editable(set, name);
    const seq = numbersOf(file);
    seq?.items.forEach((node, index) => {
      if (isMap(node) && node.get('customer') === id) out.push({ file, seq, index, node });
    });
  }
  return out;
}

/** The region of the file that holds `number`: one found before, or a new one. */
function regionOf(set: EditableSet, file: string, number: string): Region | undefined {
  const known = set.regions.get(file) ?? [];
  const hit = known.find((r) => r.seq.items.some((n) => isMap(n) && n.get('number') === number));
  if (hit) return hit;
  const text = set.sources.find((s) => s.file === file)?.text ?? '';
  const region = numberRegion(text, number);
  if (!region || known.some((r) => r.start < region.end && region.start < r.end)) return undefined;
  set.regions.set(file, [...known, region]);
  return region;
}

export function markChanged(set: EditableSet, file: EditableFile): void {
  if (file.region) file.region.changed = true;
  set.changed.add(file.file);
}

/** The texts of the set as they would be after the change. */
export function changedTexts(set: EditableSet): SourceText[] {
  return set.sources.map(({ file, text }) => ({
    file,
    text: set.changed.has(file) ? changedText(set, file, text) : text,
  }));
}

function changedText(set: EditableSet, file: string, text: string): string {
  const doc = set.docs.get(file);
  return doc ? keepLayout(text, doc.toString()) : applyRegions(text, set.regions.get(file) ?? []);
}

export type Checked = { texts: SourceText[]; result: LoadResult };

/** The whole set as it would be after the change, through the loader: once per change. */
export function check(set: EditableSet, now: Date, onProgress?: OnLoadProgress): Checked {
  const texts = changedTexts(set);
  return { texts, result: loadDialplans(texts, { now, ...(onProgress && { onProgress }) }) };
}

/** Writes the changed files (each atomically); returns their names. */
export async function writeChanged(set: EditableSet, texts: readonly SourceText[]) {
  const written: string[] = [];
  for (const { file, text } of texts) {
    if (!set.changed.has(file)) continue;
    await writeAtomically(join(set.dir, file), text);
    written.push(file);
  }
  return written;
}

/**
 * Validates the set as it would be after the change; writes the changed files only if it is
 * valid. Returns the files written.
 */
export async function commit(
  set: EditableSet,
  now: Date,
  onProgress?: OnLoadProgress,
): Promise<string[]> {
  const { texts, result } = check(set, now, onProgress);
  if (!result.ok) throw invalidChange(set.dir, result.errors);
  return writeChanged(set, texts);
}

export function invalidChange(dir: string, errors: readonly DialplanError[]): LifecycleError {
  return new LifecycleError(
    'the change was not written: it would make the dialplans invalid',
    errorLines(dir, errors),
  );
}
