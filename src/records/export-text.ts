/**
 * Exported rows as text, chunk by chunk: CSV (RFC 4180, header row) or JSON (one array, one
 * record per line). The CLI writes the chunks to a file or stdout, the admin API streams them;
 * the anonymised call history (`exportRow`) and the traffic reads (traffic-rows.ts) share it.
 */
import { csvLine } from './csv.js';
import type { StreamRecord } from './entry.js';
import { EXPORT_COLUMNS, exportRow } from './export.js';

export type ExportFormat = 'csv' | 'json';

type Cell = string | number | boolean | null;

/** What a page of values becomes: the columns, in order, and each value's row. */
export type RowShape<T, C extends string> = {
  columns: readonly C[];
  row: (value: T) => Record<C, Cell>;
};

/** One chunk per page of rows, plus the head and tail; `progress` after each page. */
export async function* rowChunks<T, C extends string>(
  pages: AsyncIterable<readonly T[]> | Iterable<readonly T[]>,
  format: ExportFormat,
  shape: RowShape<T, C>,
  progress: (exported: number, done: boolean) => void = () => undefined,
): AsyncGenerator<string> {
  let exported = 0;
  yield format === 'csv' ? csvLine(shape.columns) : '[';
  for await (const page of pages) {
    let text = '';
    for (const value of page) {
      const row = shape.row(value);
      if (format === 'csv') text += csvLine(shape.columns.map((c) => row[c]));
      else text += `${exported > 0 ? ',' : ''}\n${JSON.stringify(row)}`;
      exported++;
    }
    yield text;
    progress(exported, false);
  }
  if (format === 'json') yield '\n]\n';
  progress(exported, true);
}

/** The anonymised call history's chunks: the columns of `exportRow`. */
export function exportChunks(
  pages: AsyncIterable<readonly StreamRecord[]>,
  format: ExportFormat,
  progress?: (exported: number, done: boolean) => void,
): AsyncGenerator<string> {
  return rowChunks(pages, format, { columns: EXPORT_COLUMNS, row: exportRow }, progress);
}
