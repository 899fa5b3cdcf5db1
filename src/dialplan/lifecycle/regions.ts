/**
 * One number entry of a large file, edited without parsing the file: the lines of its block
 * sequence item are cut out, parsed as a small document of their own, edited, rendered and put
 * back in place. A file of 10,000 numbers is 1.6 MB of YAML that `yaml` takes seconds to parse
 * (on the event loop that answers calls); one entry takes well under a millisecond.
 *
 * Only the plain block layout qualifies (`- number: "+49…"` or `number:` as a later key of a
 * `- ` item); anything else returns undefined and the caller parses the whole file.
 */
import { type Document, isMap, isSeq, parseDocument, type YAMLMap, type YAMLSeq } from 'yaml';
import { keepLayout } from './keep-layout.js';

export type Region = {
  readonly start: number;
  readonly end: number;
  /** Columns before the item's `-`. */
  readonly indent: number;
  readonly doc: Document;
  readonly seq: YAMLSeq;
  changed: boolean;
};

const NUMBER_LINE = /^( *)(- +)?number: *(["']?)(\+[0-9]+)\3 *(?:#.*)?$/;
const indentOf = (line: string) => line.length - line.trimStart().length;
const isContent = (line: string) => line.trim() !== '' && !line.trimStart().startsWith('#');

export function numberRegion(text: string, number: string): Region | undefined {
  for (let from = 0; ; ) {
    const at = text.indexOf(number, from);
    if (at === -1) return undefined;
    from = at + number.length;
    const region = regionAt(text, text.lastIndexOf('\n', at) + 1, number);
    if (region) return region;
  }
}

function lineAt(text: string, start: number): { line: string; next: number } {
  const nl = text.indexOf('\n', start);
  return nl === -1
    ? { line: text.slice(start), next: text.length }
    : { line: text.slice(start, nl), next: nl + 1 };
}

function regionAt(text: string, lineStart: number, number: string): Region | undefined {
  const m = NUMBER_LINE.exec(lineAt(text, lineStart).line);
  if (!m || m[4] !== number) return undefined;
  let start = lineStart;
  let indent = m[1]!.length;
  if (!m[2]) {
    // a later key of the item: the item's `- ` is on the nearest line above with less indent
    const keyIndent = indent;
    for (let pos = lineStart; ; ) {
      if (pos === 0) return undefined;
      const prev = text.lastIndexOf('\n', pos - 2) + 1;
      const line = lineAt(text, prev).line;
      pos = prev;
      if (!isContent(line) || indentOf(line) >= keyIndent) continue;
      const dash = /^( *)(- +)/.exec(line);
      if (!dash || dash[1]!.length + dash[2]!.length !== keyIndent) return undefined;
      start = prev;
      indent = dash[1]!.length;
      break;
    }
  }
  const end = itemEnd(text, start, indent);
  const doc = parseDocument(text.slice(start, end));
  const seq = doc.contents;
  if (doc.errors.length > 0 || !isSeq(seq) || seq.items.length !== 1) return undefined;
  const item = seq.items[0];
  if (!isMap(item) || (item as YAMLMap).get('number') !== number) return undefined;
  return { start, end, indent, doc, seq, changed: false };
}

/** Where the item that starts at `start` ends: the next line of content at its indent or less. */
function itemEnd(text: string, start: number, indent: number): number {
  let pos = lineAt(text, start).next;
  // comments and blank lines before the next item belong to it, not to this one
  let quietFrom: number | undefined;
  while (pos < text.length) {
    const { line, next } = lineAt(text, pos);
    if (!isContent(line)) quietFrom ??= pos;
    else if (indentOf(line) <= indent) return quietFrom ?? pos;
    else quietFrom = undefined;
    pos = next;
  }
  return quietFrom ?? text.length;
}

/** The file's text with each changed region rendered in place (the others as they were). */
export function applyRegions(text: string, regions: readonly Region[]): string {
  let out = text;
  for (const r of [...regions].sort((a, b) => b.start - a.start)) {
    if (!r.changed) continue;
    const pad = ' '.repeat(r.indent);
    const rendered = r.doc
      .toString()
      .split('\n')
      .map((l) => (l === '' ? l : pad + l))
      .join('\n');
    const before = text.slice(r.start, r.end);
    out = out.slice(0, r.start) + keepLayout(before, rendered) + out.slice(r.end);
  }
  return out;
}
