/**
 * Redis for the short CLI commands (report, export, last calls): one connection attempt with a
 * timeout and no retries, so an unreachable Redis is a clear refusal (exit 1), never a hang.
 */
import { type Config, loadConfig } from '../config/load.js';
import { createRedis, type RedisClient } from '../redis/connect.js';
import { describeTarget, parseRedisUrl } from '../redis/url.js';
import { CliError, type CliIO } from './io.js';

const CONNECT_TIMEOUT_MS = 3000;

export type CliRedis = { redis: RedisClient; url: string; stream: string; config: Config };

export async function connectRedis(io: CliIO): Promise<CliRedis> {
  const config = loadConfig(io.env);
  const url = config.redisUrl;
  const redis = createRedis(url, {
    lazyConnect: true,
    connectTimeout: CONNECT_TIMEOUT_MS,
    commandTimeout: 30_000,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  // failures arrive as rejections of the commands; the event would only print a warning
  redis.on('error', () => undefined);
  let timer: NodeJS.Timeout | undefined;
  const silent = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer within ${CONNECT_TIMEOUT_MS / 1000} s`)),
      CONNECT_TIMEOUT_MS,
    );
  });
  try {
    // connectTimeout covers the TCP connect; a peer that accepts and never answers needs the race
    await Promise.race([redis.connect(), silent]);
  } catch (err) {
    redis.disconnect();
    throw new CliError(`cannot reach Redis at ${safeUrl(url)}: ${(err as Error).message}`, 1);
  } finally {
    clearTimeout(timer);
  }
  return { redis, url, stream: config.records.stream, config };
}

/** Runs `work` on a connection and closes it; a Redis failure on the way becomes exit 1. */
export async function withRedis<T>(io: CliIO, work: (r: CliRedis) => Promise<T>): Promise<T> {
  const r = await connectRedis(io);
  try {
    return await work(r);
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(`Redis at ${safeUrl(r.url)}: ${(err as Error).message}`, 1);
  } finally {
    r.redis.disconnect();
  }
}

/** The URL without its password, for messages. */
export function safeUrl(url: string): string {
  try {
    return describeTarget(parseRedisUrl(url));
  } catch {
    return '(unparsable REDIS_URL)';
  }
}
