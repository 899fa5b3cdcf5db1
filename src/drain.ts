/**
 * The gateway's stop on SIGTERM or SIGINT, in the order that keeps every call's record: new
 * calls refused (with DRAIN_ROUTES=withdraw, the drachtio-servers give them to other gateways),
 * the calls in progress given DRAIN_TIMEOUT_MS, late answers cleaned up, every record handed to
 * Redis or the spool, and only then the connections closed.
 */
import type { ActiveCalls } from './call/registry.js';
import type { Config } from './config/load.js';
import type { Logger } from './observability/logger.js';
import type { DrachtioServers } from './sip/drachtio-servers.js';
import { delay } from './util/delay.js';

type Closes = { close(): unknown };

export type Stopping = {
  config: Pick<Config, 'drainTimeoutMs' | 'drainRoutes'>;
  logger: Logger;
  admitter: { draining: boolean };
  calls: Pick<ActiveCalls, 'size' | 'drain'>;
  drachtio: Pick<DrachtioServers, 'withdraw' | 'settled' | 'disconnect'>;
  dialplans: Closes;
  sweeper: { stop(): void };
  sink: { flush(): Promise<void> };
  /** RECORD_SINK=redis: the writer, the call journal and their Redis. */
  records?: { writer: Closes; journal: Closes; redis: { disconnect(): void } };
  outbox?: { stop(): Promise<void> };
  media?: Closes;
  tokens?: Closes;
  admin?: Closes;
  http: Closes;
};

export async function drainAndStop(signal: string, s: Stopping): Promise<void> {
  s.admitter.draining = true;
  s.logger.info(
    { signal, activeCalls: s.calls.size, drainTimeoutMs: s.config.drainTimeoutMs },
    'draining: new calls get 503',
  );
  // servers shared with other gateways give them the new calls (sip/routes.ts)
  if (s.config.drainRoutes === 'withdraw') s.drachtio.withdraw();
  s.dialplans.close();
  s.sweeper.stop();
  const drained = await s.calls.drain(s.config.drainTimeoutMs);
  // late answers of attempts that ended get their ACK and BYE before the connection goes
  await Promise.race([s.drachtio.settled(), delay(2000)]);
  await s.sink.flush();
  if (s.records) {
    // the journal beats on while the writer finishes: records it holds back go out meanwhile
    await s.records.writer.close();
    await s.records.journal.close();
    s.records.redis.disconnect();
  }
  await s.outbox?.stop();
  s.logger.info(drained, 'drained; exiting');
  s.media?.close();
  s.drachtio.disconnect();
  s.tokens?.close();
  await s.admin?.close();
  await s.http.close();
}
