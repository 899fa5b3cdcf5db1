/**
 * Positions for problems found on the plain document. The fast loader keeps no positions, so the
 * file is parsed once more with `yaml` (which keeps source ranges) only when it has problems.
 */
import { isMap, isPair, isScalar, LineCounter, type Node, parseDocument } from 'yaml';
import type { DialplanError } from './errors.js';
import type { Issue } from './types.js';

export function locateIssues(text: string, issues: readonly Issue[]): DialplanError[] {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, keepSourceTokens: false });
  return issues.map((issue) => {
    const offset = offsetOf(doc.contents as Node | null, issue.path, issue.key === true);
    const { line, col } = lineCounter.linePos(offset);
    return { file: issue.file, line, col, message: issue.message };
  });
}

/** Walks as deep along the path as the document goes; a missing tail points at its parent. */
function offsetOf(root: Node | null, path: Issue['path'], wantKey: boolean): number {
  let node: Node | null = root;
  let offset = root?.range?.[0] ?? 0;
  for (let i = 0; i < path.length && node; i++) {
    const segment = path[i];
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === segment);
      if (!pair) break;
      const key = pair.key as Node;
      if (last && wantKey) return key.range?.[0] ?? offset;
      node = (pair.value as Node | null) ?? key;
    } else if ('items' in node && Array.isArray(node.items) && typeof segment === 'number') {
      node = (node.items[segment] as Node | undefined) ?? null;
    } else {
      break;
    }
    if (node?.range) offset = node.range[0];
  }
  return offset;
}

/**
 * Positions for every issue and for the places their messages refer to (`{related}` becomes
 * `file:line`), parsing each affected file once.
 */
export function locateAll(
  issues: readonly Issue[],
  textOf: (file: string) => string,
): DialplanError[] {
  const places: Issue[] = [...issues];
  for (const i of issues) if (i.related) places.push({ ...i.related, message: '' });
  const byFile = new Map<string, number[]>();
  places.forEach((p, k) => {
    const list = byFile.get(p.file);
    if (list) list.push(k);
    else byFile.set(p.file, [k]);
  });
  const positions: DialplanError[] = [];
  for (const [file, ks] of byFile) {
    const found = locateIssues(
      textOf(file),
      ks.map((k) => places[k]!),
    );
    ks.forEach((k, j) => {
      positions[k] = found[j]!;
    });
  }
  let next = issues.length;
  return issues.map((issue, k) => {
    const pos = positions[k]!;
    if (!issue.related) return pos;
    const rel = positions[next++]!;
    return { ...pos, message: pos.message.replace('{related}', `${rel.file}:${rel.line}`) };
  });
}
