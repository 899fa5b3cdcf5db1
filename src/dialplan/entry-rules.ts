/**
 * The domain rules of seed 000 that one entry can answer alone: DE/AT only, a number the numbering
 * plan allows, real dates, the 6-month quarantine, dialable destinations, a real seat area code.
 * Rules that need the whole set (owners, references, seats, loops) are in set-rules.ts.
 */
import { type Classification, classify, countryOf, isAreaCode } from '../numbering/classify.js';
import { type Destination, parseDestination } from '../routing/destination.js';
import { addMonths, formatDate, parseDate } from './dates.js';
import { checkBusinessHours } from './hours-rules.js';
import type {
  ClosedActionDoc,
  CustomerDoc,
  DestinationDoc,
  DocPath,
  Issue,
  NumberDoc,
} from './types.js';

export const QUARANTINE_MONTHS = 6;

type At<T> = { file: string; path: DocPath; value: T };
export type EntryCheck = {
  issues: Issue[];
  classification?: Classification;
  /** Aligned with the entry's destinations; undefined where one is not dialable. */
  destinations: (Destination | undefined)[];
  /** Likewise for the destinations of its own closed action (`action: destinations`), if any. */
  closedDestinations?: (Destination | undefined)[];
};

export type CustomerCheck = {
  issues: Issue[];
  /** Aligned with the destinations of the customer's closed action, if it has them. */
  closedDestinations?: (Destination | undefined)[];
};

export function checkCustomer({ file, path, value }: At<CustomerDoc>): CustomerCheck {
  const issues: Issue[] = [];
  const { seat } = value;
  if (!isAreaCode(seat.country, seat.areaCode)) {
    issues.push({
      file,
      path: [...path, 'seat', 'areaCode'],
      message: `'${seat.areaCode}' is not a geographic area code in ${seat.country}`,
    });
  }
  if (value.businessHours)
    issues.push(...checkBusinessHours(file, [...path, 'businessHours'], value.businessHours));
  const closedDestinations = checkClosedDestinations(value.closed, (field, message) =>
    issues.push({ file, path: [...path, 'closed', ...field], message }),
  );
  return { issues, ...(closedDestinations && { closedDestinations }) };
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
  const destinations = checkDestinations(at.value.destinations ?? [], ['destinations'], issue);
  const closedDestinations = checkOptions(at, issues, issue);
  return {
    issues,
    destinations,
    ...(classification && { classification }),
    ...(closedDestinations && { closedDestinations }),
  };
}

/** The number's own hours and closed action; returns the closed action's destinations. */
function checkOptions(
  at: At<NumberDoc>,
  issues: Issue[],
  issue: Report,
): (Destination | undefined)[] | undefined {
  const options = at.value.options;
  if (options?.businessHours) {
    const path = [...at.path, 'options', 'businessHours'];
    issues.push(...checkBusinessHours(at.file, path, options.businessHours));
  }
  if (options?.closed?.action === 'voicemail' && !options.voicemail)
    issue(
      ['options', 'closed', 'action'],
      `closed action voicemail needs options.voicemail (where to send the messages), and ${at.value.number} has none`,
    );
  return checkClosedDestinations(options?.closed, (field, message) =>
    issue(['options', 'closed', ...field], message),
  );
}

/** A closed action's destinations are checked exactly like a number's own. */
function checkClosedDestinations(
  closed: ClosedActionDoc | undefined,
  issue: Report,
): (Destination | undefined)[] | undefined {
  if (closed?.action !== 'destinations') return undefined;
  // the schema allows the same entries as a number's destinations
  return checkDestinations(closed.destinations as DestinationDoc[], ['destinations'], issue);
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

/** A list of destinations at `field` (a number's, or a closed action's). */
function checkDestinations(
  list: readonly DestinationDoc[],
  field: (string | number)[],
  issue: Report,
): (Destination | undefined)[] {
  return list.map((d, i) => {
    const parsed = parseDestination(d.to, d.ringTimeout);
    if (parsed.ok) return parsed.value;
    issue([...field, i, 'to'], `destination ${parsed.reason}`);
    return undefined;
  });
}
