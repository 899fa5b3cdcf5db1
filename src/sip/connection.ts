/**
 * The inbound connection to drachtio-server. drachtio-srf reconnects by itself with a growing
 * delay (150 ms × 1.7 per attempt, capped here); this module reports the state changes, hands
 * everything in flight over as orphans when the connection drops, and cleans them up once it is
 * back. A drachtio-server that is not there is one warning and a reminder now and then
 * (observability/peer-watch.ts), not a line per attempt.
 */
import Srf from 'drachtio-srf';
import { serverName } from '../config/drachtio-servers.js';
import type { Logger } from '../observability/logger.js';
import { PeerWatch } from '../observability/peer-watch.js';
import { InFlight } from './in-flight.js';
import { type CleanupResult, Orphans } from './orphans.js';
import type { Srf as SrfClient } from './srf-types.js';

export type DrachtioTarget = { host: string; port: number; secret: string };
/** Which settings point the gateway at this server, as the log's remedy names them. */
export type TargetSetting = 'DRACHTIO' | 'DRACHTIO_HOST';
export type ConnectionEvents = {
  /** With the server's `authenticate` answer: its SIP addresses, `tcp/10.0.0.1:5060,udp/…`. */
  onConnected(hostports: string): void;
  onDisconnected(): void;
  /** Orphans cleaned up after a reconnect: BYEs, final answers and CANCELs sent, sends refused. */
  onCleanup?(result: CleanupResult): void;
};

const MAX_RETRY_DELAY_MS = 5000;

export type Drachtio = { srf: SrfClient; inFlight: InFlight; orphans: Orphans };

export type ConnectionOptions = {
  now?: () => number;
  /** While drachtio-server stays away, a reminder this often (the retries are debug lines). */
  reminderMs?: number;
  /** Which variable named the server (DRACHTIO_HOST/DRACHTIO_PORT unless DRACHTIO). */
  setting?: TargetSetting;
};

export function connectDrachtio(
  target: DrachtioTarget,
  logger: Logger,
  events: ConnectionEvents,
  { now = Date.now, reminderMs = 60_000, setting = 'DRACHTIO_HOST' }: ConnectionOptions = {},
): Drachtio {
  const srf = new (Srf as unknown as new () => SrfClient)();
  const server = serverName(target);
  const inFlight = new InFlight();
  const orphans = new Orphans(logger, now);
  const watch = new PeerWatch({
    peer: 'drachtio-server',
    address: server,
    remedy:
      setting === 'DRACHTIO'
        ? `correct ${server} in DRACHTIO to where a drachtio-server listens for applications, and DRACHTIO_SECRET to its secret; retrying, no calls through it until then`
        : 'set DRACHTIO_HOST and DRACHTIO_PORT to where drachtio-server listens for applications, and DRACHTIO_SECRET to its secret; retrying, no calls until then',
    refusedRemedy: `set DRACHTIO_SECRET to the secret drachtio-server is configured with; retrying, no calls${setting === 'DRACHTIO' ? ' through it' : ''} until then`,
    reminderMs,
    logger,
    now,
  });
  let up = false;
  srf.on('connect', (err: Error | null, hostport: string) => {
    // a wrong secret: drachtio-srf tries again within a few hundred milliseconds, for ever
    if (err) return watch.failed(err, 'refused');
    watch.reached({ hostport });
    up = true;
    inFlight.connected();
    events.onConnected(hostport);
    if (orphans.pending > 0) void orphans.cleanUp(srf).then((result) => events.onCleanup?.(result));
  });
  srf.on('close', () => {
    const wasUp = up;
    up = false;
    const dropped = inFlight.drop(now());
    // every failed reconnect attempt closes a socket too: only a lost connection is news
    if (!wasUp) return;
    logger.warn(
      {
        server,
        inbound: dropped.inbound.length,
        outbound: dropped.outbound.length,
        dialogs: dropped.dialogs.length,
      },
      `drachtio connection to ${server} closed; ending the calls that came through it, reconnecting`,
    );
    orphans.add(dropped);
    // said above, with what it means for calls; the watch only reminds while it stays away
    watch.lost();
    events.onDisconnected();
  });
  srf.on('reconnecting', (opts: { delay?: number; attempt?: number }) =>
    logger.debug({ ...opts, server }, 'reconnecting to drachtio-server'),
  );
  // an error on a live connection precedes its close; one per failed attempt is the watch's
  srf.on('error', (err: Error) => {
    if (up) logger.warn({ err, server }, 'drachtio connection error');
    else watch.failed(err);
  });
  srf.connect({ ...target, reconnect: { retryMaxDelay: MAX_RETRY_DELAY_MS } });
  return { srf, inFlight, orphans };
}
