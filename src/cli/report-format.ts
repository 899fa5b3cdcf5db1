/** A report as an aligned table (the default), CSV (RFC 4180) or JSON. */
import { OUTCOMES } from '../records/analytics-keys.js';
import { csvLine } from '../records/csv.js';
import type { Report } from '../records/report.js';
import { formatTable } from './table.js';

export type ReportFormat = 'table' | 'csv' | 'json';
export const REPORT_FORMATS: readonly ReportFormat[] = ['table', 'csv', 'json'];

export function formatReport(report: Report, format: ReportFormat): string {
  if (format === 'json') return JSON.stringify(jsonReport(report), null, 2);
  if (format === 'csv') return csvReport(report);
  return tableReport(report);
}

function jsonReport(r: Report) {
  return {
    ...r,
    sources: r.sources.map((s) => ({ ...s, share: round(s.share, 4) })),
  };
}

const CSV_HEADER = ['source', 'calls', 'share', ...OUTCOMES, 'after_hours', 'talk_ms'];

/** One line per source; `share` as a fraction (0.6 = 60 %), talk time in milliseconds. */
function csvReport(r: Report): string {
  let text = csvLine(CSV_HEADER);
  for (const s of r.sources)
    text += csvLine([
      s.source,
      s.calls,
      round(s.share, 4),
      ...OUTCOMES.map((o) => s.outcomes[o]),
      s.afterHours,
      s.talkMs,
    ]);
  return text;
}

function tableReport(r: Report): string {
  const title = `Calls of ${r.customer} by source, ${r.from} to ${r.to} (local days, Europe/Berlin)`;
  if (r.calls === 0) return `${title}\n\nno calls in this period`;
  const header = ['source', 'calls', 'share', ...OUTCOMES, 'after hours', 'talk time'];
  const rows = [...r.sources, { ...r, source: 'total', share: 1 }].map((s) => [
    s.source === '' ? '(no source)' : s.source,
    String(s.calls),
    `${(s.share * 100).toFixed(1)} %`,
    ...OUTCOMES.map((o) => String(s.outcomes[o])),
    String(s.afterHours),
    duration(s.talkMs),
  ]);
  const alignRight = header.map((_, i) => i > 0);
  return [title, '', ...formatTable(header, rows, { alignRight })].join('\n');
}

/** `h:mm:ss` */
function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${Math.floor(s / 3600)}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}`;
}

function round(n: number, digits: number): number {
  return Number(n.toFixed(digits));
}
