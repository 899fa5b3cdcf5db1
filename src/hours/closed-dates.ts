/** A customer's or number's own closed days (company holidays, inventory), as local day ranges. */
import { parseDate } from '../dialplan/dates.js';
import type { ClosedDateDoc } from '../dialplan/types.js';
import type { ClosedWhy } from '../routing/plan.js';
import { DAY_MS } from './zone-clock.js';

export type ClosedSpan = { readonly first: number; readonly last: number; readonly why: ClosedWhy };

/** Days since 1970-01-01 of a real YYYY-MM-DD date, or undefined (2026-02-30 is not one). */
export function dayNumber(text: string): number | undefined {
  const date = parseDate(text);
  return date && date.getTime() / DAY_MS;
}

/** The first and last day of an entry (a single date is both); undefined parts are not dates. */
export function spanOf(doc: ClosedDateDoc): { first?: number; last?: number } {
  return 'date' in doc
    ? { first: dayNumber(doc.date), last: dayNumber(doc.date) }
    : { first: dayNumber(doc.from), last: dayNumber(doc.to) };
}

/** Valid entries only; the dialplan rules reported the others. */
export function compileClosedDates(docs: readonly ClosedDateDoc[]): ClosedSpan[] {
  const spans: ClosedSpan[] = [];
  for (const doc of docs) {
    const { first, last } = spanOf(doc);
    if (first === undefined || last === undefined || first > last) continue;
    const why: ClosedWhy = Object.freeze(
      doc.name === undefined ? { kind: 'closed-date' } : { kind: 'closed-date', name: doc.name },
    );
    spans.push(Object.freeze({ first, last, why }));
  }
  return spans;
}

export function closedOn(spans: readonly ClosedSpan[], day: number): ClosedWhy | undefined {
  for (const s of spans) if (day >= s.first && day <= s.last) return s.why;
  return undefined;
}
