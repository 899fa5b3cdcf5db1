/**
 * An entry that failed the schema still gets its other fields checked, so one pass reports every
 * problem in a file. `salvageNumber` keeps the fields whose shape is right and drops the rest;
 * the dropped ones were reported by the schema already. A salvaged entry never routes a call.
 */
import { E164_PATTERN } from '../numbering/e164.js';
import type { DestinationEntryDoc, NumberDoc } from './types.js';

const DATE = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;

/** Customer id standing for "not readable": references to it are never reported. */
export const UNREADABLE_CUSTOMER = '';

/** Destination standing for "not readable": dialable in shape, never reported again. */
export const UNREADABLE_DESTINATION = 'sip:unreadable.invalid';

export function salvageNumber(raw: unknown): NumberDoc | undefined {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return undefined;
  const e = raw as Record<string, unknown>;
  const text = (k: string) => (typeof e[k] === 'string' ? (e[k] as string) : undefined);
  const pattern = (k: string, re: RegExp) => {
    const v = text(k);
    return v !== undefined && re.test(v) ? v : undefined;
  };
  const status = e.status === 'active' || e.status === 'deactivated' ? e.status : undefined;
  const entry: NumberDoc = {
    number: pattern('number', E164_PATTERN) ?? '',
    customer: text('customer') ?? UNREADABLE_CUSTOMER,
    source: text('source') ?? '',
    // an unreadable status counts as deactivated: no active-only rule fires on a guess
    status: status ?? 'deactivated',
  };
  for (const k of ['activatedAt', 'deactivatedAt'] as const) {
    const v = pattern(k, DATE);
    if (v) entry[k] = v;
  }
  for (const k of ['replaces', 'replacedBy'] as const) {
    const v = pattern(k, E164_PATTERN);
    if (v) entry[k] = v;
  }
  if (Array.isArray(e.destinations)) entry.destinations = e.destinations.map(salvageDestination);
  return entry;
}

function salvageDestination(raw: unknown): DestinationEntryDoc {
  const d = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  // an unreadable `to` or member becomes a value no rule checks further; the schema reported it
  const text = (v: unknown) => (typeof v === 'string' ? v : UNREADABLE_DESTINATION);
  if (Array.isArray(d.ringAll)) return { ringAll: d.ringAll.map(text), ringTimeout: 1 };
  return { to: text(d.to), ringTimeout: 1 };
}
