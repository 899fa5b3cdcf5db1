/**
 * One short Redis connection for a check: no retries, no offline queue, a deadline. ioredis
 * rejects a failed connect with only "Connection is closed."; the reason (refused, WRONGPASS,
 * NOAUTH) arrives on its 'error' event, so the last one is kept and named.
 */
import { createRedis, type RedisClient } from '../../redis/connect.js';
import { type NetFailure, netFailure } from './probe.js';

export type RedisFailure = { kind: 'auth-refused'; message: string } | NetFailure;

export async function withRedisProbe<T>(
  url: string,
  timeoutMs: number,
  work: (redis: RedisClient) => Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; failure: RedisFailure }> {
  let last: Error | undefined;
  const redis = createRedis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  redis.on('error', (err: Error) => {
    last = err;
  });
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  let connected = false;
  try {
    const run = async () => {
      await redis.connect();
      connected = true;
      return { value: await work(redis) };
    };
    const result = await Promise.race([run(), deadline]);
    if (result === 'timeout')
      return {
        ok: false,
        failure: { kind: 'timeout', stage: connected ? 'answer' : 'connect', ms: timeoutMs },
      };
    return { ok: true, value: result.value };
  } catch (err) {
    return { ok: false, failure: redisFailure(last ?? (err as Error), timeoutMs) };
  } finally {
    clearTimeout(timer);
    redis.disconnect();
  }
}

function redisFailure(err: Error, timeoutMs: number): RedisFailure {
  if (/^(WRONGPASS|NOAUTH|ERR invalid password|ERR AUTH)/.test(err.message))
    return { kind: 'auth-refused', message: err.message };
  if ((err as NodeJS.ErrnoException).code === 'ETIMEDOUT' || /ETIMEDOUT/.test(err.message))
    return { kind: 'timeout', stage: 'connect', ms: timeoutMs };
  if ((err as NodeJS.ErrnoException).code) return netFailure(err);
  return { kind: 'unreachable', message: err.message };
}
