/**
 * The one place a Redis client is made: a URL of any of the three forms (src/redis/url.ts) and the
 * options of the job it does (fail fast for the record writer, wait forever for a subscriber)
 * become a client of the matching kind. Callers hand ioredis' per-connection options; for a
 * Cluster those go to every node's connection (`redisOptions`), and the ones ioredis takes only
 * at cluster level (offline queue, reconnect strategy, lazy connect) go there instead.
 */
import { Cluster, type ClusterOptions, Redis, type RedisOptions } from 'ioredis';
import { type HostPort, parseRedisUrl, type RedisTarget } from './url.js';

/** A client of any of the three kinds; the commands calltrack runs exist on both classes. */
export type RedisClient = Redis | Cluster;

export type ClientOptions = Omit<RedisOptions, 'host' | 'port' | 'path' | 'sentinels' | 'name'>;

/** Builds the client for `url` (already checked at config load; a bad one throws RedisUrlError). */
export function createRedis(url: string, options: ClientOptions): RedisClient {
  const target = parseRedisUrl(url);
  if (target.kind === 'single') return new Redis(url, options);
  if (target.kind === 'cluster') return clusterClient(target, options);
  return sentinelClient(target, options);
}

function clusterClient(
  target: Extract<RedisTarget, { kind: 'cluster' }>,
  options: ClientOptions,
): Cluster {
  const { enableOfflineQueue, retryStrategy, lazyConnect, enableReadyCheck, ...perNode } = options;
  const cluster: ClusterOptions = {
    redisOptions: {
      ...perNode,
      ...(target.username && { username: target.username }),
      ...(target.password && { password: target.password }),
      ...(target.tls && { tls: {} }),
    },
    // a node that fails over answers MOVED/CLUSTERDOWN for a moment: ioredis retries those itself
    retryDelayOnFailover: 200,
    retryDelayOnClusterDown: 200,
    ...(enableOfflineQueue !== undefined && { enableOfflineQueue }),
    ...(lazyConnect !== undefined && { lazyConnect }),
    ...(enableReadyCheck !== undefined && { enableReadyCheck }),
    ...(retryStrategy !== undefined && {
      clusterRetryStrategy: (n: number) => retryStrategy?.(n) ?? null,
    }),
  };
  return new Cluster(target.nodes.map(plain), cluster);
}

function sentinelClient(
  target: Extract<RedisTarget, { kind: 'sentinel' }>,
  options: ClientOptions,
): Redis {
  const client = new Redis({
    ...options,
    sentinels: target.sentinels.map(plain),
    name: target.name,
    db: target.db,
    // learns of a promotion from the Sentinels at once instead of at the next failed command
    failoverDetector: true,
    ...(target.username && { username: target.username }),
    ...(target.password && { password: target.password }),
    ...(target.sentinelUsername && { sentinelUsername: target.sentinelUsername }),
    ...(target.sentinelPassword && { sentinelPassword: target.sentinelPassword }),
    ...(target.tls && { tls: {}, enableTLSForSentinelMode: true }),
  });
  return connectingAgainAfterFailover(client);
}

/**
 * ioredis (5.x) ends a Sentinel client for good when its failover detector hears +switch-master
 * while the client is between connections, asking a Sentinel where the master is: the detector's
 * disconnect cancels that connect ("Connection is closed.", status `end`, no retry). After a
 * master died that is the likely moment, and a record writer left with an ended client spools
 * until the gateway restarts. A client ends only when this side disconnects it; else it connects
 * again, and asks the Sentinels afresh.
 */
function connectingAgainAfterFailover(client: Redis): Redis {
  let closing = false;
  const disconnect = client.disconnect.bind(client);
  client.disconnect = (reconnect = false) => {
    if (!reconnect) closing = true;
    disconnect(reconnect);
  };
  const quit = client.quit.bind(client);
  client.quit = ((...args: Parameters<typeof quit>) => {
    closing = true;
    return quit(...args);
  }) as typeof client.quit;
  client.on('end', () => {
    if (!closing) client.connect().catch(() => undefined);
  });
  return client;
}

function plain(h: HostPort): { host: string; port: number } {
  return { host: h.host, port: h.port };
}

/**
 * Resolves once `client` is connected, or after `ms` whatever it is doing (a Redis that is away:
 * its commands then fail fast, as before). For a listener that should open with its stores: a
 * request in its first moments would otherwise meet a connection still being made, and a client
 * without an offline queue refuses it.
 */
export function connectedOrAfter(client: RedisClient, ms: number): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      client.off('ready', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    client.once('ready', done);
  });
}
