/**
 * The domain rules of seed 000 that one entry can answer alone: DE/AT only, a number the numbering
 * plan allows, real dates, the 6-month quarantine, dialable destinations, a real seat area code.
 * Rules that need the whole set (owners, references, seats, loops) are in set-rules.ts.
 */
import { type Classification, classify, countryOf, isAreaCode } from '../numbering/classify.js';
import { type Destination, parseDestination } from '../routing/destination.js';
import { addMonths, formatDate, parseDate } from './dates.js';
import type { CustomerDoc, DocPath, Issue, NumberDoc } from './types.js';

export const QUARANTINE_MONTHS = 6;

type At<T> = { file: string; path: DocPath; value: T };
export type EntryCheck = {
  issues: Issue[];
  classification?: Classification;
  /** Aligned with the entry's destinations; undefined where one is not dialable. */
  destinations: (Destination | undefined)[];
};

export function checkCustomer({ file, path, value }: At<CustomerDoc>): Issue[] {
  const { seat } = value;
  if (isAreaCode(seat.country, seat.areaCode)) return [];
  return [
    {
      file,
      path: [...path, 'seat', 'areaCode'],
      message: `'${seat.areaCode}' is not a geographic area code in ${seat.country}`,
    },
  ];
}

export function checkNumber(at: At<NumberDoc>, today: Date): EntryCheck {
  const issues: Issue[] = [];
  const issue = (field: (string | number)[], message: string) =>
    issues.push({ file: at.file, path: [...at.path, ...field], message });
  const { number } = at.value;
  const country = countryOf(number);
  let classification: Classification | undefined;
  if (number === '') {
    // unreadable number (salvaged entry): the schema reported it
  } else if (country === 'other') {
    issue(
      ['number'],
      `${number} is not in the German (+49) or Austrian (+43) number range; tracking numbers exist only there`,
    );
  } else {
    classification = classify(number);
    if (classification.kind === 'invalid')
      issue(['number'], `${number} is not a valid ${country} number (check the number of digits)`);
  }
  checkLifecycle(at.value, today, issue);
  const destinations = checkDestinations(at.value, issue);
  return { issues, destinations, ...(classification && { classification }) };
}

type Report = (field: (string | number)[], message: string) => void;

function checkLifecycle(entry: NumberDoc, today: Date, issue: Report): void {
  const activated = checkedDate(entry, 'activatedAt', issue);
  const deactivated = checkedDate(entry, 'deactivatedAt', issue);
  if (entry.status === 'deactivated' && deactivated && deactivated > today) {
    issue(
      ['deactivatedAt'],
      `deactivatedAt ${entry.deactivatedAt} is in the future; a deactivation takes effect with the reload that carries it`,
    );
  }
  if (entry.replacedBy !== undefined && entry.status === 'active') {
    issue(
      ['replacedBy'],
      `${entry.number} has replacedBy but is still active; the replaced number is deactivated in the same change`,
    );
  }
  if (entry.status !== 'active' || !deactivated) return;
  const free = addMonths(deactivated, QUARANTINE_MONTHS);
  const since = activated && activated > deactivated ? activated : today;
  if (since < free || today < free) {
    issue(
      ['status'],
      `${entry.number} was deactivated on ${entry.deactivatedAt} and may not be active again before ${formatDate(free)} (${QUARANTINE_MONTHS}-month quarantine)`,
    );
  }
}

function checkedDate(
  entry: NumberDoc,
  field: 'activatedAt' | 'deactivatedAt',
  issue: Report,
): Date | undefined {
  const text = entry[field];
  if (text === undefined) return undefined;
  const date = parseDate(text);
  if (!date) issue([field], `${field} ${text} is not a calendar date`);
  return date;
}

function checkDestinations(entry: NumberDoc, issue: Report): (Destination | undefined)[] {
  return (entry.destinations ?? []).map((d, i) => {
    const parsed = parseDestination(d.to, d.ringTimeout);
    if (parsed.ok) return parsed.value;
    issue(['destinations', i, 'to'], `destination ${parsed.reason}`);
    return undefined;
  });
}
