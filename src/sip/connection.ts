/**
 * The inbound connection to drachtio-server. drachtio-srf reconnects by itself with a growing
 * delay (150 ms × 1.7 per attempt, capped here); this module reports the state changes.
 */
import Srf from 'drachtio-srf';
import type { Logger } from '../observability/logger.js';
import type { Srf as SrfClient } from './srf-types.js';

export type DrachtioTarget = { host: string; port: number; secret: string };
export type ConnectionEvents = { onConnected(): void; onDisconnected(): void };

const MAX_RETRY_DELAY_MS = 5000;

export function connectDrachtio(
  target: DrachtioTarget,
  logger: Logger,
  events: ConnectionEvents,
): SrfClient {
  const srf = new (Srf as unknown as new () => SrfClient)();
  srf.on('connect', (err: Error | null, hostport: string) => {
    if (err) {
      logger.error({ err }, 'drachtio-server refused the connection');
      return;
    }
    logger.info({ hostport }, 'connected to drachtio-server');
    events.onConnected();
  });
  srf.on('close', () => {
    logger.warn(
      { host: target.host, port: target.port },
      'drachtio connection closed; reconnecting',
    );
    events.onDisconnected();
  });
  srf.on('reconnecting', (opts: { delay?: number; attempt?: number }) =>
    logger.debug(opts, 'reconnecting to drachtio-server'),
  );
  srf.on('error', (err: Error) => logger.warn({ err }, 'drachtio connection error'));
  srf.connect({ ...target, reconnect: { retryMaxDelay: MAX_RETRY_DELAY_MS } });
  return srf;
}
