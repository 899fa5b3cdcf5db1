/**
 * ADMIN_HTTP_PORT set: the admin API on its own listener, its tokens reloaded on change, its audit
 * trail, downloads and reports on its own Redis connection (ADMIN_REDIS_URL, else REDIS_URL).
 * Writes only on a node whose folder is the source of truth: a follower serves what the
 * publisher published, and a write there would be lost on its next follow.
 */
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config/load.js';
import type { Reloader } from '../dialplan/reloader.js';
import type { Logger } from '../observability/logger.js';
import { readLastCalls } from '../records/last-calls.js';
import type { RedisClient } from '../redis/connect.js';
import { createAdminServer } from './api.js';
import type { DialplanHistory } from './history.js';
import { openAdminStores } from './open-stores.js';
import type { TokenStore } from './token-store.js';
import type { TransportWarnings } from './write-context.js';

export type AdminStart = {
  config: Config;
  logger: Logger;
  tokens: TokenStore;
  https: { cert: Buffer; key: Buffer } | undefined;
  reloader: Reloader;
  history: DialplanHistory;
  transportWarnings?: TransportWarnings;
};

export async function startAdmin(s: AdminStart): Promise<FastifyInstance> {
  const { config, logger, tokens, reloader } = s;
  tokens.watch(config.reload.debounceMs, logger);
  const { close, opened, ...stores } = openAdminStores(config, logger);
  // the admin API's own connection reads where analytics keep each number's last call
  const redis = stores.downloads.history?.redis;
  const app = createAdminServer({
    table: () => reloader.table,
    tokens: () => tokens.current,
    logger,
    ...stores,
    ...(s.https && { https: s.https }),
    now: () => performance.now(),
    ...(config.distribution.source === 'files' && {
      dialplans: {
        dir: config.dialplanDir,
        defaultCountry: config.defaultCountry,
        reload: () => reloader.reload(),
        now: () => new Date(),
        history: s.history,
        workerAboveBytes: config.reload.workerThresholdBytes,
        ...(redis && { lastCalls: () => lastCallsOf(redis) }),
        ...(s.transportWarnings && { transportWarnings: s.transportWarnings }),
      },
    }),
  });
  app.addHook('onClose', async () => close());
  // a download in the API's first moments is audited, not refused for a connection being made
  await opened;
  await app.listen({ host: config.admin.httpHost, port: config.admin.httpPort });
  return app;
}

async function lastCallsOf(redis: RedisClient): Promise<Map<string, Date>> {
  const calls = await readLastCalls(redis);
  return new Map(Object.entries(calls).map(([n, at]) => [n, new Date(at)]));
}
