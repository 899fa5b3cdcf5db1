/**
 * The anonymised call history as text, chunk by chunk: CSV (RFC 4180, header row) or JSON (one
 * array, one record per line). The CLI writes the chunks to a file or stdout, the admin API
 * streams them to the dealer; both get the same columns from `exportRow`.
 */
import { csvLine } from './csv.js';
import type { StreamRecord } from './entry.js';
import { EXPORT_COLUMNS, exportRow } from './export.js';

export type ExportFormat = 'csv' | 'json';

/** One chunk per page of records, plus the head and tail; `progress` after each page. */
export async function* exportChunks(
  pages: AsyncIterable<readonly StreamRecord[]>,
  format: ExportFormat,
  progress: (exported: number, done: boolean) => void = () => undefined,
): AsyncGenerator<string> {
  let exported = 0;
  yield format === 'csv' ? csvLine(EXPORT_COLUMNS) : '[';
  for await (const page of pages) {
    let text = '';
    for (const record of page) {
      const row = exportRow(record);
      if (format === 'csv') text += csvLine(EXPORT_COLUMNS.map((c) => row[c]));
      else text += `${exported > 0 ? ',' : ''}\n${JSON.stringify(row)}`;
      exported++;
    }
    yield text;
    progress(exported, false);
  }
  if (format === 'json') yield '\n]\n';
  progress(exported, true);
}
