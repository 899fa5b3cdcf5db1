/**
 * Every drachtio-server this gateway serves (DRACHTIO, or DRACHTIO_HOST/DRACHTIO_PORT as the one).
 * drachtio-srf speaks to one server per Srf in inbound mode (`srf.connect` opens one socket:
 * lib/wire-protocol.js keeps a single `this.socket`; only `srf.listen`, outbound mode, takes many
 * servers on one Srf: jambonz's apps use it unless pointed at one DRACHTIO_HOST), so each server gets its own
 * Srf with its own InFlight, Orphans and PeerWatch (sip/connection.ts). A call stays on the Srf
 * its INVITE came from: its dealer legs, transfers and media INVITEs go through that server's
 * dialer and Srf, so a server that goes away ends only the calls that came through it.
 */
import type { MediaPort } from '../call/media-port.js';
import type { ActiveCalls } from '../call/registry.js';
import type { CallMedia } from '../call/session-media.js';
import { type DrachtioTarget, serverName } from '../config/drachtio-servers.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { connectDrachtio, type TargetSetting } from './connection.js';
import { type SrfDialer, srfDialer } from './dialer.js';
import type { InFlight } from './in-flight.js';
import { answerOptions, type InviteRouting, routeInvites } from './inbound.js';
import { withdrawRoutes } from './routes.js';
import type { Srf } from './srf-types.js';

export type DrachtioServer = {
  /** host:port, as metrics (label `server`), logs and /readyz detail name it. */
  readonly name: string;
  readonly srf: Srf;
  readonly inFlight: InFlight;
  /** Dealer legs of the calls that came through this server, placed through it. */
  readonly dialer: SrfDialer;
  /** The calls that came through this server (a view of the node's registry). */
  readonly calls: ActiveCalls;
  readonly up: boolean;
  /** Withdraws this gateway's routes at the server (routes.ts), and again after each reconnect. */
  withdraw(): void;
};

/** The call path's services for every server; what belongs to one server is filled in per server. */
export type SharedServices = Omit<InviteRouting, 'inFlight' | 'dialer' | 'calls' | 'media'> & {
  media?: Omit<CallMedia, 'port'> & { port: (srf: Srf) => MediaPort };
};

export type DrachtioServers = {
  readonly servers: readonly DrachtioServer[];
  /** Servers connected now. */
  readonly connected: number;
  /** For /readyz: one server `true`/`false`; several also `n of m connected`. */
  checks(): Record<string, boolean | string>;
  /** Every server, comma-separated (the start line). */
  readonly names: string;
  /** For /readyz detail: every server, with `(down)` after those away. */
  describe(): string;
  /** Every server's INVITEs to the one call path, with that server's dialer, calls and media. */
  routeInvites(services: SharedServices): void;
  /** Every server's out-of-dialog OPTIONS (inbound.ts answerOptions). */
  answerOptions(...args: OptionsArgs): void;
  /** Late answers of ended attempts cleaned up, on every server. */
  settled(): Promise<void>;
  /**
   * The drain: no new requests from any server (routes.ts), now on the servers that are up and
   * at the reconnect of those that are not.
   */
  withdraw(): void;
  /** Closes the connections that are up (drachtio-srf throws on one that is not). */
  disconnect(): void;
};

type OptionsArgs = Parameters<typeof answerOptions> extends [unknown, ...infer Rest] ? Rest : never;

export type ServersOptions = {
  logger: Logger;
  metrics: Pick<Metrics, 'drachtioConnected' | 'lostCleanups' | 'drachtioInvites'>;
  /** The node's registry; each server tracks its calls in a view of it. */
  calls: ActiveCalls;
  reminderMs: number;
  setting: TargetSetting;
  /** Each connect of a server (host:port), with the SIP addresses it listens on. */
  onConnected?(server: string, hostports: string): void;
};

export function connectDrachtioServers(
  targets: readonly DrachtioTarget[],
  o: ServersOptions,
): DrachtioServers {
  const servers = targets.map((target) => connectOne(target, o));
  const connected = () => servers.filter((s) => s.up).length;
  return {
    servers,
    get connected() {
      return connected();
    },
    checks: () => ({
      drachtio: connected() > 0,
      ...(servers.length > 1 && {
        drachtioServers: `${connected()} of ${servers.length} connected`,
      }),
    }),
    names: servers.map((s) => s.name).join(', '),
    describe: () => servers.map((s) => (s.up ? s.name : `${s.name} (down)`)).join(', '),
    routeInvites: (services) => {
      for (const s of servers) routeInvites(s.srf, serverServices(s, services, o.metrics));
    },
    answerOptions: (...args) => {
      for (const s of servers) answerOptions(s.srf, ...args);
    },
    settled: async () => {
      await Promise.all(servers.map((s) => s.dialer.settled()));
    },
    withdraw: () => {
      for (const s of servers) s.withdraw();
    },
    disconnect: () => {
      for (const s of servers) if (s.up) s.srf.disconnect();
    },
  };
}

function connectOne(target: DrachtioTarget, o: ServersOptions): DrachtioServer {
  const server = serverName(target);
  const calls = o.calls.forServer();
  const { drachtioConnected: gauge, lostCleanups } = o.metrics;
  let up = false;
  let withdrawn = false;
  const sendWithdraw = () => {
    // on a connection that is down nothing is sent: drachtio-srf routes again at the reconnect
    if (!up) return;
    const verbs = withdrawRoutes(drachtio.srf);
    if (verbs > 0)
      o.logger.info(
        { server },
        'draining: routes withdrawn, this drachtio-server sends new calls to other gateways',
      );
  };
  // present from the start, so an alert sees a server that never came
  gauge.set({ server }, 0);
  const drachtio = connectDrachtio(
    target,
    o.logger,
    {
      onConnected: (hostports) => {
        up = true;
        gauge.set({ server }, 1);
        if (withdrawn) sendWithdraw();
        o.onConnected?.(server, hostports);
      },
      onDisconnected: () => {
        up = false;
        gauge.set({ server }, 0);
        // its calls end now with a record; what can still be sent goes after the reconnect
        calls.signallingLost();
      },
      onCleanup: ({ byes, answers, cancels, failed }) => {
        lostCleanups.inc({ action: 'bye', server }, byes);
        lostCleanups.inc({ action: 'answer', server }, answers);
        lostCleanups.inc({ action: 'cancel', server }, cancels);
        lostCleanups.inc({ action: 'failed', server }, failed);
      },
    },
    { reminderMs: o.reminderMs, setting: o.setting },
  );
  return {
    name: server,
    srf: drachtio.srf,
    inFlight: drachtio.inFlight,
    dialer: srfDialer(drachtio.srf, drachtio.inFlight),
    calls,
    get up() {
      return up;
    },
    withdraw: () => {
      withdrawn = true;
      sendWithdraw();
    },
  };
}

function serverServices(
  server: DrachtioServer,
  { media, ...shared }: SharedServices,
  metrics: ServersOptions['metrics'],
): InviteRouting {
  return {
    ...shared,
    inFlight: server.inFlight,
    dialer: server.dialer,
    calls: server.calls,
    onInvite: () => metrics.drachtioInvites.inc({ server: server.name }),
    ...(media && { media: { ...media, port: media.port(server.srf) } }),
  };
}
