/**
 * A real redis-server for a test, on a free loopback port, with its own data directory; it can
 * be stopped and started again on the same port with its data (outage tests). Missing binary: the test fails
 * and names the Debian package.
 */
import type { Test } from 'tap';
import { loopbackRedisArgs, redisProcess } from './redis-process.js';

export type RedisServer = {
  port: number;
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
};

/** `extraArgs`: more redis-server options, e.g. `['--requirepass', 'secret']`. */
export async function startRedis(t: Test, extraArgs: string[] = []): Promise<RedisServer> {
  // a clean shutdown (SIGTERM) keeps the data (append-only file): a restart continues the same stream
  const server = await redisProcess(
    t,
    (port, dir) => [...loopbackRedisArgs(port, dir, true), '--protected-mode', 'yes', ...extraArgs],
    'SIGTERM',
  );
  return { ...server, url: `redis://127.0.0.1:${server.port}` };
}
