/**
 * Which destinations name a transport (or, by a literal address, an IP family) a drachtio-server
 * does not listen on. A dialplan load cannot know it (a server's transports come with its
 * connection, and each server may differ), and no call to such a destination through that server
 * connects (drachtio-server refuses the leg: `unreachable` for a `;transport=` or an address of
 * another family, its stack's 416 for a bare `sips:`), so it is said when either side changes: at
 * each server's connect and at each dialplan load, one warning per server when what it lacks
 * changes, and a gauge per server for the alert.
 */
import type { Gauge } from 'prom-client';
import type { Logger } from '../observability/logger.js';
import type { RouteTable } from '../routing/route-table.js';
import { offeredTransports } from '../routing/sip-transport.js';
import {
  entryNeeds,
  type TransportNeed,
  transportNeeds,
  unmetNeeds,
} from '../routing/transport-needs.js';
import type { Trunk } from '../routing/trunk.js';

/** A warning about one field of a written entry, as the admin API answers it. */
export type FieldWarning = { readonly pointer: string; readonly message: string };

/** Destinations named in one warning; the gauge counts them all. */
const LISTED = 20;

export class TransportFit {
  #needs: readonly TransportNeed[];
  #table: RouteTable | undefined;
  readonly #offered = new Map<string, ReadonlySet<string>>();
  /** Per server, the destinations it lacked when last said (`''`: none). */
  readonly #said = new Map<string, string>();
  readonly #logger: Logger;
  readonly #gauge: Gauge<'server'>;
  readonly #trunk: Trunk;

  constructor(logger: Logger, gauge: Gauge<'server'>, trunk: Trunk) {
    this.#logger = logger;
    this.#gauge = gauge;
    this.#trunk = trunk;
    this.#needs = transportNeeds(undefined, trunk);
  }

  /** A dialplan load: an unchanged table is not walked again. */
  tableLoaded(table: RouteTable): void {
    if (table === this.#table) return;
    this.#table = table;
    this.#needs = transportNeeds(table, this.#trunk);
    for (const server of this.#offered.keys()) this.#check(server);
  }

  /** A server's connect, with its `authenticate` answer (`tcp/10.0.0.1:5060,udp/…`). */
  connected(server: string, hostports: string): void {
    this.#offered.set(server, offeredTransports(hostports));
    this.#check(server);
  }

  /**
   * For the admin API's answer to a write: each URI of the written entry naming a transport some
   * drachtio-server, as it last connected, does not listen on (the write stands: it is valid, and
   * another server may carry it).
   */
  warningsFor(entry: unknown): readonly FieldWarning[] {
    const warnings: FieldWarning[] = [];
    for (const { pointer, uri, needs } of entryNeeds(entry)) {
      const lacking = [...this.#offered].filter(([, offered]) => !offered.has(needs));
      if (lacking.length === 0) continue;
      const servers = lacking.map(([server]) => server).join(', ');
      warnings.push({
        pointer,
        message: `'${uri}' needs ${needs}, which drachtio-server ${servers} does not listen on: no call to it through ${lacking.length > 1 ? 'those servers' : 'that server'} connects`,
      });
    }
    return warnings;
  }

  #check(server: string): void {
    const set = this.#offered.get(server) ?? new Set<string>();
    const unmet = unmetNeeds(this.#needs, set);
    // `udp over IPv4`, not also `udp` and `IPv4` alone (offeredTransports)
    const offered = [...set].filter((need) => need.includes(' over '));
    this.#gauge.set({ server }, unmet.length);
    const lacking = unmet.map((n) => n.uri).join(' ');
    // nothing lacking at the first connect is no news
    if (lacking === (this.#said.get(server) ?? '')) return;
    this.#said.set(server, lacking);
    if (unmet.length === 0) {
      this.#logger.info(
        { server, offers: offered },
        `drachtio-server ${server} listens on every transport the destinations name`,
      );
      return;
    }
    this.#logger.warn(
      {
        server,
        offers: offered,
        unavailable: unmet.length,
        destinations: unmet.slice(0, LISTED),
      },
      `${unmet.length} destination(s) name a transport drachtio-server ${server} does not listen on (it offers ${offered.join(', ') || 'none'}): no call to them through it connects (drachtio-server refuses the leg, nothing is sent); add the transport to its contact or change the destination`,
    );
  }
}
