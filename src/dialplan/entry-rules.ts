/**
 * The domain rules of seed 000 that one entry can answer alone: DE/AT only, a number the numbering
 * plan allows, real dates, the 6-month quarantine, dialable destinations, a real seat area code.
 * Rules that need the whole set (owners, references, seats, loops) are in set-rules.ts.
 */
import { type Classification, classify, countryOf, isAreaCode } from '../numbering/classify.js';
import {
  type Destination,
  destinationGroup,
  parseDestination,
  type Route,
} from '../routing/destination.js';
import { addMonths, formatDate, parseDate } from './dates.js';
import { checkBusinessHours } from './hours-rules.js';
import { UNREADABLE_DESTINATION } from './salvage.js';
import type {
  ClosedActionDoc,
  CustomerDoc,
  DestinationEntryDoc,
  DocPath,
  Issue,
  NumberDoc,
} from './types.js';

export const QUARANTINE_MONTHS = 6;

/** A value and where it stands in its file. */
export type At<T> = { file: string; path: DocPath; value: T };
export type EntryCheck = {
  issues: Issue[];
  classification?: Classification;
  /** Aligned with the entry's destinations; undefined where one (or a group's member) is not dialable. */
  destinations: (Route | undefined)[];
  dialable: Dialable[];
  /** The destinations of its own closed action (`action: destinations`), if any. */
  closed?: ClosedDestinations;
};

/** A closed action's destinations, checked like a number's own. */
export type ClosedDestinations = { routes: (Route | undefined)[]; dialable: Dialable[] };

/** A destination that parsed: its index in the list, its member index in a group (-1: alone). */
export type Dialable = { index: number; member: number; destination: Destination };

export type CustomerCheck = {
  issues: Issue[];
  /** The destinations of the customer's closed action, if it has them. */
  closed?: ClosedDestinations;
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
  const closed = checkClosedDestinations(
    { file, path: [...path, 'closed'], value: value.closed },
    issues,
  );
  return { issues, ...(closed && { closed }) };
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
  const dialable: Dialable[] = [];
  const destinations = checkDestinations(
    { file: at.file, path: [...at.path, 'destinations'], value: at.value.destinations ?? [] },
    issues,
    dialable,
  );
  const closed = checkOptions(at, issues, issue);
  return {
    issues,
    destinations,
    dialable,
    ...(classification && { classification }),
    ...(closed && { closed }),
  };
}

/** The number's own hours and closed action; returns the closed action's destinations. */
function checkOptions(
  at: At<NumberDoc>,
  issues: Issue[],
  issue: Report,
): ClosedDestinations | undefined {
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
  return checkClosedDestinations(
    { file: at.file, path: [...at.path, 'options', 'closed'], value: options?.closed },
    issues,
  );
}

/** A closed action's destinations are checked exactly like a number's own. */
function checkClosedDestinations(
  at: At<ClosedActionDoc | undefined>,
  issues: Issue[],
): ClosedDestinations | undefined {
  if (at.value?.action !== 'destinations') return undefined;
  const dialable: Dialable[] = [];
  const list = { ...at, path: [...at.path, 'destinations'], value: at.value.destinations };
  return { routes: checkDestinations(list, issues, dialable), dialable };
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

/**
 * A destination list (a number's `destinations`, a closed action's `destinations`) at `path`:
 * every destination, and every member of a `ringAll` group, parsed as the call path dials it,
 * with the problem placed at the member. A member listed twice in one group would ring the same
 * phone twice. `dialable` gets every destination and member that parsed, with its place, for
 * the rules that need the whole set (a destination that is a tracking number loops).
 */
export function checkDestinations(
  at: At<readonly DestinationEntryDoc[]>,
  issues: Issue[],
  dialable: Dialable[] = [],
): (Route | undefined)[] {
  const issue = (field: (string | number)[], message: string, related?: DocPath) =>
    issues.push({
      file: at.file,
      path: [...at.path, ...field],
      message,
      ...(related && { related: { file: at.file, path: [...at.path, ...related] } }),
    });
  return at.value.map((d, i) => {
    if (!('ringAll' in d)) {
      const parsed = parseDestination(d.to, d.ringTimeout);
      if (parsed.ok) {
        dialable.push({ index: i, member: -1, destination: parsed.value });
        return parsed.value;
      }
      issue([i, 'to'], `destination ${parsed.reason}`);
      return undefined;
    }
    const members: Destination[] = [];
    const seen = new Map<string, number>();
    for (const [k, to] of d.ringAll.entries()) {
      const parsed = parseDestination(to, d.ringTimeout);
      if (!parsed.ok) {
        issue([i, 'ringAll', k], `destination ${parsed.reason}`);
        continue;
      }
      const key = parsed.value.type === 'e164' ? parsed.value.number : parsed.value.uri;
      const first = seen.get(key);
      if (first !== undefined && to !== UNREADABLE_DESTINATION) {
        issue(
          [i, 'ringAll', k],
          `'${to}' is already a member of this ringAll group at {related}; a phone rings once`,
          [i, 'ringAll', first],
        );
        continue;
      }
      seen.set(key, k);
      members.push(parsed.value);
      dialable.push({ index: i, member: k, destination: parsed.value });
    }
    if (members.length !== d.ringAll.length) return undefined;
    return destinationGroup(members, d.ringTimeout);
  });
}
