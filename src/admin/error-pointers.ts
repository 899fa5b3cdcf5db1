/**
 * The loader's errors (file:line:col in the set as it would be after a change) as errors of the
 * request: an error inside an entry the request wrote gets a JSON pointer into the request body
 * (`/destinations/0/to`); any other keeps the pointer '' (the request as a whole). Every error
 * keeps its `location`. Only the entries written are parsed again, with positions (their file
 * only when an entry is not in the plain block layout).
 */
import { type Document, isMap, isPair, isScalar, isSeq, type Node, parseDocument } from 'yaml';
import type { DialplanError } from '../dialplan/errors.js';
import { numberRegion } from '../dialplan/lifecycle/regions.js';
import type { SourceText } from '../dialplan/load.js';
import type { DocPath } from '../dialplan/types.js';
import type { FieldError } from './problem.js';

/** An entry a request wrote, and how a path inside it reads as a pointer into the request. */
export type Touched = {
  readonly file: string;
  /** The entry, after the change: the item of `list` whose `key` is `value` (numbers/number/+49…). */
  readonly list: 'numbers' | 'customers';
  readonly key: 'number' | 'id';
  readonly value: string;
  readonly pointer: (inside: DocPath) => string;
};

export function fieldErrors(
  errors: readonly DialplanError[],
  texts: readonly SourceText[],
  touched: readonly Touched[],
): FieldError[] {
  const located = new Map<string, (e: DialplanError) => string | undefined>();
  const locatorOf = (file: string) => {
    let locate = located.get(file);
    if (!locate) {
      const mine = touched.filter((t) => t.file === file);
      const text = texts.find((t) => t.file === file)?.text;
      locate = mine.length > 0 && text !== undefined ? locator(text, mine) : () => undefined;
      located.set(file, locate);
    }
    return locate;
  };
  return errors.map((e) => ({
    pointer: locatorOf(e.file)(e) ?? '',
    message: e.message,
    location: `${e.file}:${e.line}:${e.col}`,
  }));
}

function locator(text: string, touched: readonly Touched[]) {
  const lineStarts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  let whole: Document | undefined;
  const entries = touched.map((t) => {
    // a number's entry is parsed alone (a large file takes seconds as a whole); else the file
    const region = t.list === 'numbers' ? numberRegion(text, t.value) : undefined;
    if (region) return { t, node: region.seq.items[0] as Node, shift: region.start };
    whole ??= parseDocument(text);
    return { t, node: entryOf(whole.contents as Node | null, t), shift: 0 };
  });
  return (e: DialplanError): string | undefined => {
    const at = (lineStarts[e.line - 1] ?? 0) + e.col - 1;
    for (const { t, node, shift } of entries) {
      const offset = at - shift;
      if (node?.range && offset >= node.range[0] && offset < node.range[2])
        return t.pointer(pathTo(node, offset));
    }
    return undefined;
  };
}

function entryOf(root: Node | null, t: Touched): Node | undefined {
  const list = isMap(root) ? root.get(t.list, true) : undefined;
  if (!isSeq(list)) return undefined;
  return list.items.find((n) => isMap(n) && n.get(t.key) === t.value) as Node | undefined;
}

/** The path of the deepest node inside `node` that holds `offset`. */
function pathTo(node: Node, offset: number): (string | number)[] {
  const path: (string | number)[] = [];
  let current: unknown = node;
  for (;;) {
    const within = (n: unknown): n is Node => {
      const r = (n as Node | null)?.range;
      return !!r && offset >= r[0] && offset < r[2];
    };
    if (isMap(current)) {
      const pair = current.items.find((p) => isPair(p) && (within(p.key) || within(p.value)));
      if (!pair || !isScalar(pair.key)) return path;
      path.push(String(pair.key.value));
      if (!within(pair.value)) return path;
      current = pair.value;
    } else if (isSeq(current)) {
      const i = current.items.findIndex(within);
      if (i === -1) return path;
      path.push(i);
      current = current.items[i];
    } else return path;
  }
}
