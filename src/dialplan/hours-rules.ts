/**
 * The rules one `businessHours` block answers alone, on a customer or a number: a timezone Intl
 * knows, a holiday region date-holidays knows, intervals that end after they begin (or the next
 * day, with `overnight`) and do not overlap, closed dates that are real days in order.
 */
import { spanOf } from '../hours/closed-dates.js';
import { regionProblem } from '../hours/holidays.js';
import { intervalProblem, overlapOf, ruleName } from '../hours/week.js';
import { isKnownZone } from '../hours/zone-clock.js';
import type { BusinessHoursDoc, ClosedDateDoc, DocPath, Issue, OpenIntervalDoc } from './types.js';

export function checkBusinessHours(file: string, path: DocPath, hours: BusinessHoursDoc): Issue[] {
  const issues: Issue[] = [];
  const issue = (field: (string | number)[], message: string, related?: DocPath) =>
    issues.push({
      file,
      path: [...path, ...field],
      message,
      ...(related && { related: { file, path: [...path, ...related] } }),
    });
  if (hours.timezone !== undefined && !isKnownZone(hours.timezone))
    issue(
      ['timezone'],
      `timezone '${hours.timezone}' is not an IANA time zone (e.g. Europe/Berlin, Europe/Vienna)`,
    );
  const region = hours.holidays === undefined ? undefined : regionProblem(hours.holidays);
  if (region) issue(['holidays'], region);
  checkIntervals(hours.open ?? [], issue);
  for (const [i, d] of (hours.closedDates ?? []).entries())
    checkClosedDate(d, (f, m) => issue(['closedDates', i, f], m));
  return issues;
}

type Report = (field: (string | number)[], message: string, related?: DocPath) => void;

function checkIntervals(open: readonly OpenIntervalDoc[], issue: Report): void {
  const valid: number[] = [];
  open.forEach((interval, i) => {
    const problem = intervalProblem(interval);
    if (problem) issue(['open', i, 'to'], problem);
    else valid.push(i);
  });
  // each pair once, at the later one: the earlier is where the reader looks next
  for (let b = 1; b < valid.length; b++) {
    for (let a = 0; a < b; a++) {
      const [first, second] = [open[valid[a]!]!, open[valid[b]!]!];
      const at = overlapOf(first, second);
      if (at)
        issue(
          ['open', valid[b]!],
          `interval ${ruleName(second)} overlaps ${ruleName(first)} ({related}) from ${at}; give each minute of the week to one interval`,
          ['open', valid[a]!],
        );
    }
  }
}

function checkClosedDate(
  doc: ClosedDateDoc,
  issue: (field: string, message: string) => void,
): void {
  const { first, last } = spanOf(doc);
  if ('date' in doc) {
    if (first === undefined) issue('date', `closed date ${doc.date} is not a calendar date`);
    return;
  }
  if (first === undefined) issue('from', `closed from ${doc.from} is not a calendar date`);
  if (last === undefined) issue('to', `closed to ${doc.to} is not a calendar date`);
  if (first !== undefined && last !== undefined && first > last)
    issue(
      'to',
      `closed to ${doc.to} is before from ${doc.from}; both days are included, so a single day has from = to`,
    );
}
