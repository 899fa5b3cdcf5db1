/**
 * A real redis-server for a test, on a free loopback port, with its own data directory; it can
 * be stopped and started again on the same port with its data (outage tests). Missing binary: the test fails
 * and names the Debian package.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import { requireBinary } from './binaries.js';
import { freeTcpPort } from './ports.js';

export type RedisServer = {
  port: number;
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
};

/** `extraArgs`: more redis-server options, e.g. `['--requirepass', 'secret']`. */
export async function startRedis(t: Test, extraArgs: string[] = []): Promise<RedisServer> {
  const bin = requireBinary('redis-server', 'redis-server');
  const port = await freeTcpPort();
  const dir = mkdtempSync(join(tmpdir(), 'calltrack-redis-'));
  let proc: ChildProcess | undefined;
  const start = async () => {
    proc = spawn(
      bin,
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--save',
        '',
        '--appendonly',
        'yes',
        '--appendfsync',
        'always',
        '--protected-mode',
        'yes',
        ...extraArgs,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    await new Promise<void>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(
        () => reject(new Error(`redis-server did not start on ${port}: ${out}`)),
        10_000,
      );
      proc?.stdout?.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      });
      proc?.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited with ${code}: ${out}`));
      });
    });
  };
  const stop = async () => {
    const p = proc;
    if (!p || p.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      p.once('exit', () => resolve());
      // a clean shutdown keeps the data (append-only file): a restart continues the same stream
      p.kill('SIGTERM');
    });
  };
  await start();
  t.teardown(async () => {
    await stop();
    rmSync(dir, { recursive: true, force: true });
  });
  return { port, url: `redis://127.0.0.1:${port}`, stop, start };
}
