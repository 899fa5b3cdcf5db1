/**
 * The query of `GET /v1/numbers`, checked once: every parameter known, given once, and in the
 * shape the dialplan schema allows for its field — so `customer=../x` or a 10 kB value is a 400
 * naming the parameter, never a lookup.
 */
import { decodeCursor, type NumberFilter, type NumberStatus } from './numbers-view.js';
import { Problem } from './problem.js';

export type NumbersQuery = NumberFilter & { readonly limit: number; readonly after?: string };

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;

// the dialplan schema's customerId and source (config/schema/dialplan.schema.json)
const CUSTOMER_ID = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const SOURCE = /^[^\p{Cc}]{1,64}$/u;

/** What a detail may quote of a value: a short, printable excerpt. */
export function quoted(v: string): string {
  const printable = v.replace(/[^\x20-\x7e]/g, '?');
  return `'${printable.length > 40 ? `${printable.slice(0, 40)}…` : printable}'`;
}

export type Check = (v: string) => string | undefined;

/** The query's values by name; a 400 for anything unknown, repeated or out of shape. */
export function checkedQuery(query: unknown, checks: Record<string, Check>): Map<string, string> {
  const values = new Map<string, string>();
  for (const [name, value] of Object.entries((query ?? {}) as Record<string, unknown>)) {
    const check = checks[name];
    if (!check)
      throw new Problem(
        400,
        `unknown query parameter ${quoted(name)}; known: ${Object.keys(checks).join(', ')}`,
      );
    if (typeof value !== 'string')
      throw new Problem(400, `query parameter '${name}' is given more than once`);
    const wrong = check(value);
    if (wrong) throw new Problem(400, `query parameter '${name}': ${quoted(value)} ${wrong}`);
    values.set(name, value);
  }
  return values;
}

export const limitCheck: Check = (v) =>
  /^[0-9]{1,4}$/.test(v) && Number(v) >= 1 && Number(v) <= MAX_LIMIT
    ? undefined
    : `is not a whole number from 1 to ${MAX_LIMIT}`;
const CHECKS: Record<string, Check> = {
  customer: (v) => (CUSTOMER_ID.test(v) ? undefined : 'is not a customer id'),
  source: (v) => (SOURCE.test(v) ? undefined : 'is not a source (1 to 64 printable characters)'),
  status: (v) =>
    v === 'active' || v === 'deactivated' ? undefined : 'is not active or deactivated',
  limit: limitCheck,
  cursor: (v) => (decodeCursor(v) ? undefined : 'is not a cursor from an earlier page'),
};

export function parseNumbersQuery(query: unknown): NumbersQuery {
  const values = checkedQuery(query, CHECKS);
  const cursor = values.get('cursor');
  return {
    limit: Number(values.get('limit') ?? DEFAULT_LIMIT),
    ...(values.has('customer') && { customer: values.get('customer')! }),
    ...(values.has('source') && { source: values.get('source')! }),
    ...(values.has('status') && { status: values.get('status') as NumberStatus }),
    ...(cursor !== undefined && { after: decodeCursor(cursor)! }),
  };
}
