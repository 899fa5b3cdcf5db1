/** The Redis connections of dialplan distribution: one for commands, one for the notifications. */
import { type ClientOptions, createRedis, type RedisClient } from '../../redis/connect.js';

const COMMON: ClientOptions = {
  connectTimeout: 2000,
  retryStrategy: (n) => Math.min(100 * n, 2000),
};

/**
 * Commands fail at once while Redis is away (the follower serves what it has, the publisher
 * retries on reconnect); a blob of a large set may take a while to travel, hence the long timeout.
 */
export function commandClient(url: string): RedisClient {
  const redis = createRedis(url, {
    ...COMMON,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: 30_000,
  });
  // the follower and publisher log what failed; the 'error' of each retry would only repeat it
  redis.on('error', () => undefined);
  return redis;
}

/** Subscribes whenever it can, and again after every reconnect. */
export function subscriberClient(url: string): RedisClient {
  const redis = createRedis(url, { ...COMMON, maxRetriesPerRequest: null, autoResubscribe: true });
  redis.on('error', () => undefined);
  return redis;
}

/** Whether the client became ready within `ms` (false at once when the first attempt fails). */
export function connected(redis: RedisClient, ms: number): Promise<boolean> {
  if (redis.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      redis.off('ready', onReady);
      redis.off('error', onError);
      resolve(ok);
    };
    const onReady = () => done(true);
    const onError = () => done(false);
    const timer = setTimeout(() => done(false), ms);
    redis.once('ready', onReady);
    redis.once('error', onError);
  });
}
