/**
 * A Redis client's connection, told through a PeerWatch: ioredis emits 'error' for every failed
 * reconnect (each few hundred milliseconds while Redis is away) and 'ready' when it is through.
 */
import type { RedisClient } from '../redis/connect.js';
import { describeTarget, parseRedisUrl } from '../redis/url.js';
import type { Logger } from './logger.js';
import { PeerWatch } from './peer-watch.js';

export type RedisPeerOptions = {
  url: string;
  /** What to set, and what happens meanwhile (where records wait). */
  remedy: string;
  reminderMs: number;
  logger: Logger;
};

export function watchRedis(redis: RedisClient, o: RedisPeerOptions): PeerWatch {
  const watch = new PeerWatch({
    peer: 'Redis',
    address: redisAddress(o.url),
    remedy: o.remedy,
    reminderMs: o.reminderMs,
    logger: o.logger,
  });
  // an error on a ready connection is followed by its close and a failed reconnect, if any
  redis.on('error', (err: Error) => {
    if (redis.status !== 'ready') watch.failed(err);
  });
  redis.on('ready', () => watch.reached());
  redis.on('end', () => watch.stop());
  return watch;
}

/** host:port of a redis:// URL (the hosts of a cluster or Sentinel URL), never its credentials. */
export function redisAddress(url: string): string {
  try {
    const target = parseRedisUrl(url);
    if (target.kind !== 'single') return describeTarget(target);
    const u = new URL(url);
    return `${u.hostname}:${u.port || '6379'}`;
  } catch {
    return 'the REDIS_URL given';
  }
}
