/**
 * The doctor's rows as a table (check, status, detail), each warning or failure followed by its
 * fix on a line of its own under the detail, so a long fix never pushes the table off a
 * terminal's width; then one summary line. Pure.
 */
import { formatTable } from '../table.js';
import type { CheckResult } from './result.js';

const HEADER = ['check', 'status', 'detail'];

export function formatDoctor(results: readonly CheckResult[]): string[] {
  const rows = results.flatMap((r) => cellLines(r));
  return [...formatTable(HEADER, rows), '', summary(results)];
}

/** The detail's lines (it may span several), then `fix: …`; check and status on the first only. */
function cellLines(r: CheckResult): string[][] {
  const lines = [
    ...r.detail.split('\n'),
    ...(r.fix ? r.fix.split('\n').map((f) => `fix: ${f}`) : []),
  ];
  return lines.map((line, i) => (i === 0 ? [r.check, r.status, line] : ['', '', line]));
}

function summary(results: readonly CheckResult[]): string {
  const count = (status: CheckResult['status']) =>
    results.filter((r) => r.status === status).length;
  const [fail, warn, skip] = [count('FAIL'), count('warn'), count('skipped')];
  const rest = [warn && `${warn} warning${warn === 1 ? '' : 's'}`, skip && `${skip} skipped`]
    .filter(Boolean)
    .join(', ');
  const head = fail ? `${fail} of ${results.length} checks FAILED` : 'no check failed';
  return rest ? `${head} (${rest})` : head;
}
