/**
 * The destinations of a route table, and the trunk, that name a transport (TLS for `sips:`, or
 * `;transport=`) or an IP family (a literal address): found once per table, then held against what each drachtio-server listens on
 * (sip/transport-fit.ts). Active numbers only: a deactivated number routes nowhere.
 */
import { parseRoutes, type Route } from './destination.js';
import type { RouteTable } from './route-table.js';
import { type Need, transportNeeded } from './sip-transport.js';
import type { Trunk } from './trunk.js';

export type TransportNeed = {
  readonly uri: string;
  readonly needs: Need;
  /**
   * The first place that dials it: `customer c1, number +4930…: destinations` (or `: closed`),
   * `customer c1: closed`, `OUTBOUND_TRUNK`.
   */
  readonly usedBy: string;
  /** How many places dial it (a number's destinations and its closed action are two). */
  readonly places: number;
};

/** The table's needs and the trunk's; before the first load (no table), the trunk's alone. */
export function transportNeeds(
  table: RouteTable | undefined,
  trunk: Trunk,
): readonly TransportNeed[] {
  const found = new Map<string, { uri: string; needs: Need; usedBy: string; places: number }>();
  /** URIs that need nothing: a dealer's URI is parsed once, however many numbers dial it. */
  const plain = new Set<string>();
  // usedBy is made only for a URI seen first: most of a large table dials E.164 numbers
  const note = (uri: string, usedBy: () => string) => {
    const seen = found.get(uri);
    if (seen) {
      seen.places += 1;
      return;
    }
    if (plain.has(uri)) return;
    const needs = transportNeeded(uri);
    if (needs) found.set(uri, { uri, needs, usedBy: usedBy(), places: 1 });
    else plain.add(uri);
  };
  const noteRoutes = (routes: readonly Route[], usedBy: () => string) => {
    for (const route of routes)
      for (const d of route.type === 'group' ? route.members : [route])
        if (d.type === 'sip') note(d.uri, usedBy);
  };
  for (const d of table?.decisions() ?? []) {
    if (d.kind !== 'forward') continue;
    // the customer first: logs redact the number, the customer's id stays greppable
    const of = (what: string) => `customer ${d.customerId}, number ${d.number}: ${what}`;
    noteRoutes(d.destinations, () => of('destinations'));
    if (d.closedDestinations) noteRoutes(d.closedDestinations, () => of('closed'));
  }
  for (const c of table?.customers() ?? [])
    if (c.closed?.action === 'destinations')
      noteRoutes(parseRoutes(c.closed.destinations), () => `customer ${c.id}: closed`);
  // E.164 destinations, transfers and redirects all go there
  const trunkUri = `${trunk.scheme}:${trunk.hostPort}${trunk.transport ? `;transport=${trunk.transport}` : ''}`;
  note(trunkUri, () => 'OUTBOUND_TRUNK');
  return [...found.values()].map((n) => Object.freeze(n));
}

/** The needs a server listening on `offered` (offeredTransports) cannot meet. */
export function unmetNeeds(
  needs: readonly TransportNeed[],
  offered: ReadonlySet<string>,
): readonly TransportNeed[] {
  return needs.filter((n) => !offered.has(n.needs));
}

/** A URI in one dialplan entry that names a transport, with its JSON pointer in the entry. */
export type EntryNeed = {
  readonly pointer: string;
  readonly uri: string;
  readonly needs: Need;
};

/**
 * The URIs naming a transport in one entry as written (a number or a customer, as the admin API
 * answers a write with it): its destinations, ringAll members and closed destinations. A
 * deactivated number routes nowhere: none.
 */
export function entryNeeds(entry: unknown): readonly EntryNeed[] {
  if (!isObject(entry) || entry.status === 'deactivated') return [];
  const found: EntryNeed[] = [];
  const walk = (list: unknown, at: string) => {
    if (!Array.isArray(list)) return;
    list.forEach((d: unknown, i) => {
      if (!isObject(d)) return;
      const uris = Array.isArray(d.ringAll)
        ? d.ringAll.map((uri: unknown, k) => [uri, `${at}/${i}/ringAll/${k}`] as const)
        : [[d.to, `${at}/${i}/to`] as const];
      for (const [uri, pointer] of uris) {
        const needs = typeof uri === 'string' ? transportNeeded(uri) : undefined;
        if (needs) found.push({ pointer, uri: uri as string, needs });
      }
    });
  };
  walk(entry.destinations, '/destinations');
  const options = isObject(entry.options) ? entry.options : {};
  for (const [closed, at] of [
    [options.closed, '/options/closed/destinations'],
    [entry.closed, '/closed/destinations'],
  ] as const)
    if (isObject(closed)) walk(closed.destinations, at);
  return found;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
