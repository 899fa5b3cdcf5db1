/**
 * Traffic records as exported (CSV and JSON, export-text.ts), and how much of the caller's
 * number a reader sees: billing and lawful requests the full number, a customer as the operator
 * chose (TRAFFIC_CALLER_DISPLAY): `none`, `masked` (the last three digits hidden) or `full`.
 * A withheld caller has no number to show, whatever the setting.
 */
import { callTimes } from './export.js';
import { type RowShape, rowChunks } from './export-text.js';
import type { TrafficRecord } from './traffic-entry.js';

export type CallerDisplay = 'none' | 'masked' | 'full';

/**
 * The columns, in order. The node stays internal (operations detail); `customer` is there for
 * lawful requests, which span customers.
 */
export const TRAFFIC_COLUMNS = [
  'id',
  'start',
  'answer',
  'end',
  'tracking_number',
  'customer',
  'caller',
  'destination',
  'billable_seconds',
  'outcome',
] as const;

export type TrafficRow = Record<(typeof TRAFFIC_COLUMNS)[number], string | number | null>;

/** The last three digits as `x` (`+4917612345678` → `+4917612345xxx`); shorter: every digit. */
export function maskCaller(number: string): string {
  let hide = 3;
  let out = '';
  for (let i = number.length - 1; i >= 0; i--) {
    const c = number[i]!;
    if (hide > 0 && c >= '0' && c <= '9') {
      out = `x${out}`;
      hide--;
    } else out = c + out;
  }
  return out;
}

export function shownCaller(caller: string, display: CallerDisplay): string | null {
  if (!caller || display === 'none') return null;
  return display === 'masked' ? maskCaller(caller) : caller;
}

/** A record as exported: absent values null, billable seconds a number. */
export function trafficRow(r: TrafficRecord, display: CallerDisplay): TrafficRow {
  return {
    ...callTimes(r),
    customer: r.customer || null,
    caller: shownCaller(r.caller, display),
    destination: r.destination || null,
    billable_seconds: /^[0-9]+$/.test(r.billableSeconds) ? Number(r.billableSeconds) : null,
    outcome: r.outcome,
  };
}

export function trafficShape(
  display: CallerDisplay,
): RowShape<TrafficRecord, (typeof TRAFFIC_COLUMNS)[number]> {
  return { columns: TRAFFIC_COLUMNS, row: (r) => trafficRow(r, display) };
}

/** The whole answer as one text (it is collected before it is audited, traffic-read.ts). */
export async function trafficText(
  records: readonly TrafficRecord[],
  format: 'csv' | 'json',
  display: CallerDisplay,
): Promise<string> {
  let text = '';
  for await (const chunk of rowChunks([records], format, trafficShape(display))) text += chunk;
  return text;
}
