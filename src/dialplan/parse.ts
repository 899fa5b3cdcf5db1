/**
 * YAML text → plain document. js-yaml is the fast path (a large set loads several times faster
 * than with `yaml`); only when it fails is the text parsed again with `yaml`, which reports every
 * syntax error with its position instead of the first.
 */
import jsYaml from 'js-yaml';
import { LineCounter, parseDocument } from 'yaml';
import type { DialplanError } from './errors.js';

export type ParseResult = { ok: true; doc: unknown } | { ok: false; errors: DialplanError[] };

export function parseYaml(file: string, text: string): ParseResult {
  try {
    // CORE_SCHEMA: dates stay strings and there are no custom tags to surprise anyone
    return {
      ok: true,
      doc: jsYaml.load(text, { schema: jsYaml.CORE_SCHEMA, filename: file }) ?? null,
    };
  } catch (err) {
    if (!(err instanceof jsYaml.YAMLException)) throw err;
    const detailed = syntaxErrors(file, text);
    if (detailed.length > 0) return { ok: false, errors: detailed };
    const mark = err.mark;
    return {
      ok: false,
      errors: [
        {
          file,
          line: (mark?.line ?? 0) + 1,
          col: (mark?.column ?? 0) + 1,
          message: `YAML: ${err.reason}`,
        },
      ],
    };
  }
}

function syntaxErrors(file: string, text: string): DialplanError[] {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  return doc.errors.map((e) => {
    const pos = lineCounter.linePos(e.pos[0]);
    return { file, line: pos.line, col: pos.col, message: `YAML: ${firstLine(e.message)}` };
  });
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}
