/**
 * The queries and ids of the audit and download routes, checked once: every parameter known,
 * given once and in its shape, so a path or query injection is a 400 naming the parameter and
 * never reaches Redis or the file system.
 */
import { parseDate } from '../dialplan/dates.js';
import { INSTANT_HINT, parseInstant } from '../records/instant.js';
import type { AuditQuery } from './audit-redis.js';
import { Problem } from './problem.js';
import { type Check, checkedQuery, DEFAULT_LIMIT, limitCheck, quoted } from './query.js';

const STREAM_ID = /^[0-9]{1,15}-[0-9]{1,15}$/;
const DAY_MS = 86_400_000;

export const instantCheck: Check = (v) =>
  parseInstant(v, false) === undefined ? INSTANT_HINT : undefined;

export function parseAuditQuery(query: unknown): AuditQuery {
  const v = checkedQuery(query, {
    limit: limitCheck,
    after: (x) => (STREAM_ID.test(x) ? undefined : 'is not an entry id from an earlier page'),
    from: instantCheck,
    to: instantCheck,
  });
  const from = v.has('from') ? parseInstant(v.get('from')!, false) : undefined;
  const to = v.has('to') ? parseInstant(v.get('to')!, true) : undefined;
  if (from !== undefined && to !== undefined && from > to)
    throw new Problem(400, `query parameter 'from' is after 'to'`);
  return {
    limit: v.has('limit') ? Number(v.get('limit')) : DEFAULT_LIMIT,
    ...(v.has('after') && { after: v.get('after')! }),
    ...(from !== undefined && { from }),
    ...(to !== undefined && { to }),
  };
}

export type HistoryFormat = 'csv' | 'json';
export type HistoryQuery = { from: string; to: string; format: HistoryFormat };

/** The longest period one download may cover: a year and a day, as the call stream keeps. */
export const MAX_HISTORY_DAYS = 400;

const dateCheck: Check = (v) => (parseDate(v) ? undefined : 'is not a date (YYYY-MM-DD)');

export function parseHistoryQuery(query: unknown): HistoryQuery {
  const v = checkedQuery(query, {
    from: dateCheck,
    to: dateCheck,
    format: (x) => (x === 'csv' || x === 'json' ? undefined : 'is not csv or json'),
  });
  return { ...period(v), format: (v.get('format') ?? 'json') as HistoryFormat };
}

/** A report's period: `from` and `to`, local days, both required. */
export function parseReportQuery(query: unknown): { from: string; to: string } {
  return period(checkedQuery(query, { from: dateCheck, to: dateCheck }));
}

function period(v: Map<string, string>): { from: string; to: string } {
  for (const name of ['from', 'to'])
    if (!v.has(name)) throw new Problem(400, `query parameter '${name}' is required (YYYY-MM-DD)`);
  const from = v.get('from')!;
  const to = v.get('to')!;
  if (from > to) throw new Problem(400, `query parameter 'from' (${from}) is after 'to' (${to})`);
  const days = (parseDate(to)!.getTime() - parseDate(from)!.getTime()) / DAY_MS + 1;
  if (days > MAX_HISTORY_DAYS)
    throw new Problem(
      400,
      `the period is ${days} days; one request covers at most ${MAX_HISTORY_DAYS}`,
    );
  return { from, to };
}

// the dialplan schema's customerId; recordings are named by the call's record id, a UUID
const CUSTOMER_ID = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const RECORD_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function customerIdParam(id: string): string {
  if (!CUSTOMER_ID.test(id)) throw new Problem(400, `${quoted(id)} is not a customer id`);
  return id;
}

/** Only a UUID names a recording: no dot, no slash, nothing a path could be made of. */
export function recordingIdParam(id: string): string {
  if (!RECORD_ID.test(id))
    throw new Problem(400, `${quoted(id)} is not a recording id (the call's record id, a UUID)`);
  return id;
}

/** Why a read happens, as the reader says it: printable, at most 500 characters. */
const REASON = /^[^\p{Cc}]{1,500}$/u;

export type TrafficQuery = HistoryQuery & { customer: string; reason?: string };

/** GET /v1/traffic: a customer and a period (local days), the format, optionally why. */
export function parseTrafficQuery(query: unknown): TrafficQuery {
  const v = checkedQuery(query, {
    customer: (x) => (CUSTOMER_ID.test(x) ? undefined : 'is not a customer id'),
    from: dateCheck,
    to: dateCheck,
    format: (x) => (x === 'csv' || x === 'json' ? undefined : 'is not csv or json'),
    reason: (x) => (REASON.test(x) ? undefined : 'is not 1 to 500 printable characters'),
  });
  if (!v.has('customer')) throw new Problem(400, "query parameter 'customer' is required");
  return {
    customer: v.get('customer')!,
    ...period(v),
    format: (v.get('format') ?? 'json') as HistoryFormat,
    ...(v.has('reason') && { reason: v.get('reason')! }),
  };
}
