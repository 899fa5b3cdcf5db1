/**
 * The numbers of a RouteTable as documents for the admin API: the shape of the dialplan files
 * (destinations as `to`/`ringAll` with seconds), filtered and paged. Pure: a table in, pages out.
 *
 * Paging is keyed by number, not by position: the cursor names the last number of a page, so a
 * reload between two pages neither repeats nor skips a number that is in both tables. The sorted
 * list is built once per table (tables are immutable) and kept only as long as the table is.
 */
import type { RouteDecision } from '../routing/decision.js';
import type { Route } from '../routing/destination.js';
import type { RouteTable } from '../routing/route-table.js';

export type NumberStatus = 'active' | 'deactivated';

export type NumberDocument = {
  readonly number: string;
  readonly customer: string;
  readonly source: string;
  readonly status: NumberStatus;
  readonly destinations?: readonly unknown[];
  readonly options?: unknown;
  readonly deactivatedAt?: string;
  readonly replacedBy?: string;
};

export type NumberFilter = {
  readonly customer?: string;
  readonly source?: string;
  readonly status?: NumberStatus;
};

export type NumberPage = { readonly numbers: readonly NumberDocument[]; readonly next?: string };

function destinationDoc(r: Route): unknown {
  const ringTimeout = r.ringTimeoutMs / 1000;
  if (r.type === 'group')
    return { ringAll: r.members.map((m) => (m.type === 'sip' ? m.uri : m.number)), ringTimeout };
  return { to: r.type === 'sip' ? r.uri : r.number, ringTimeout };
}

/** A decision of the table as its document; undefined for what is not a configured number. */
export function numberDocument(d: RouteDecision): NumberDocument | undefined {
  if (d.kind === 'forward')
    return {
      number: d.number,
      customer: d.customerId,
      source: d.source,
      status: 'active',
      destinations: d.destinations.map(destinationDoc),
      options: d.options,
    };
  if (d.reason !== 'deactivated' || !d.number || !d.customerId) return undefined;
  return {
    number: d.number,
    customer: d.customerId,
    source: d.source ?? '',
    status: 'deactivated',
    ...(d.deactivatedAt && { deactivatedAt: d.deactivatedAt }),
    ...(d.replacedBy && { replacedBy: d.replacedBy }),
  };
}

const sorted = new WeakMap<RouteTable, readonly NumberDocument[]>();

/** Every number of the table, by number. */
export function numberDocuments(table: RouteTable): readonly NumberDocument[] {
  let docs = sorted.get(table);
  if (!docs) {
    docs = [...table.decisions()]
      .map(numberDocument)
      .filter((d): d is NumberDocument => d !== undefined)
      .sort((a, b) => (a.number < b.number ? -1 : a.number > b.number ? 1 : 0));
    sorted.set(table, docs);
  }
  return docs;
}

export const encodeCursor = (lastNumber: string) =>
  Buffer.from(lastNumber, 'utf8').toString('base64url');

/** The number a cursor names, or undefined when it is not one this API handed out. */
export function decodeCursor(cursor: string): string | undefined {
  if (!/^[A-Za-z0-9_-]{1,40}$/.test(cursor)) return undefined;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  return /^\+[0-9]{4,15}$/.test(text) ? text : undefined;
}

/** The page after `after` (a number, exclusive) of the numbers that pass the filter. */
export function numberPage(
  docs: readonly NumberDocument[],
  filter: NumberFilter,
  limit: number,
  after?: string,
): NumberPage {
  let lo = 0;
  if (after !== undefined) {
    // binary search: the first number greater than the cursor's
    let hi = docs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (docs[mid]!.number <= after) lo = mid + 1;
      else hi = mid;
    }
  }
  const numbers: NumberDocument[] = [];
  let i = lo;
  for (; i < docs.length && numbers.length < limit; i++) {
    const d = docs[i]!;
    if (filter.customer !== undefined && d.customer !== filter.customer) continue;
    if (filter.source !== undefined && d.source !== filter.source) continue;
    if (filter.status !== undefined && d.status !== filter.status) continue;
    numbers.push(d);
  }
  // a next page only when a number after this page's last one could pass the filter
  const more = numbers.length === limit && i < docs.length;
  return { numbers, ...(more && { next: encodeCursor(numbers.at(-1)!.number) }) };
}
