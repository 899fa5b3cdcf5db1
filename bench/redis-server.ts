/**
 * A redis-server of the benchmark's own on a free loopback port, without persistence, killed and
 * its directory removed when the benchmark process exits, whatever the cause.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freeTcpPort } from '../test/helpers/ports.js';
import { loopbackRedisArgs } from '../test/helpers/redis-process.js';

export type BenchRedis = { url: string; client: Redis; stop(): void };

export async function startBenchRedis(bench: string): Promise<BenchRedis> {
  const port = await freeTcpPort();
  const dir = mkdtempSync(join(tmpdir(), 'calltrack-bench-redis-'));
  const server = spawn('redis-server', loopbackRedisArgs(port, dir), { stdio: 'ignore' });
  server.on('error', (err) => {
    process.stderr.write(
      `bench ${bench}: cannot start redis-server (Debian package redis-server): ${err.message}\n`,
    );
    process.exit(1);
  });
  const stop = () => {
    server.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', stop);
  const url = `redis://127.0.0.1:${port}`;
  const client = new Redis(url, { retryStrategy: (n) => (n > 50 ? null : 100) });
  // refused connections while redis-server starts are expected; the ping below waits them out
  client.on('error', () => undefined);
  await client.ping();
  return { url, client, stop };
}
