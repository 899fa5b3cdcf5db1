/**
 * One redis-server process (or Sentinel) for tests and benchmarks: a free loopback port, a temp
 * directory of its own (a replica's full sync writes an RDB file there, never into the checkout),
 * started and waited for until it accepts connections, ended with the test. test/helpers/redis.ts
 * (one server) and redis-cluster.ts (clusters, Sentinel sets) build on it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import { requireBinary } from './binaries.js';
import { freeTcpPort } from './ports.js';

/**
 * The options every loopback redis-server here starts with: loopback only, files in `dir`, no RDB
 * snapshots. `aof`: an append-only file fsynced on every write, so a server stopped (SIGTERM)
 * and started again keeps its data; without it a restarted server comes back empty.
 */
export function loopbackRedisArgs(port: number, dir: string, aof = false): string[] {
  return [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    ...(aof ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']),
  ];
}

export type RedisProcess = {
  readonly port: number;
  /**
   * Starts it again on the same port and directory (its data, nodes.conf and so on kept), with
   * `extraArgs` after its own (e.g. `--replicaof`).
   */
  start(extraArgs?: readonly string[]): Promise<void>;
  /** Sends the signal it was made with and waits for the exit; nothing if it is not running. */
  stop(): Promise<void>;
};

/**
 * A redis-server with `args(port, dir, more)`, started and torn down with `t` (process ended,
 * directory removed); `more` holds `morePorts` further free ports (a cluster node's bus). A first
 * start whose port another process took between the probe and the bind (EADDRINUSE) is tried
 * again on new ports, up to three times. `signal`: how `stop` ends it: SIGTERM shuts down cleanly
 * (the AOF kept), SIGKILL leaves no last words (to replicas or Sentinels), as a crashed box would.
 */
export async function redisProcess(
  t: Test,
  args: (port: number, dir: string, more: readonly number[]) => string[],
  signal: 'SIGTERM' | 'SIGKILL',
  morePorts = 0,
): Promise<RedisProcess> {
  const bin = requireBinary('redis-server', 'redis-server');
  const dir = mkdtempSync(join(tmpdir(), 'calltrack-redis-'));
  let proc: ChildProcess | undefined;
  let port = 0;
  let more: number[] = [];
  const start = async (extraArgs: readonly string[] = []) => {
    proc = spawn(bin, [...args(port, dir, more), ...extraArgs], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await untilReady(proc, port);
  };
  const stop = async () => {
    const p = proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      p.once('exit', () => resolve());
      p.kill(signal);
    });
  };
  t.teardown(async () => {
    await stop();
    rmSync(dir, { recursive: true, force: true });
  });
  for (let attempt = 1; ; attempt++) {
    port = await freeTcpPort();
    more = [];
    for (let i = 0; i < morePorts; i++) more.push(await freeTcpPort());
    try {
      await start();
      break;
    } catch (err) {
      if (attempt === 3 || !(err instanceof PortTaken)) throw err;
    }
  }
  return { port, start, stop };
}

/** Until the server (or Sentinel) says it is ready; its output in the error if it exits first. */
function untilReady(p: ChildProcess, port: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(
      () => reject(new Error(`redis-server did not start on ${port}: ${out}`)),
      10_000,
    );
    p.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      if (/Ready to accept connections|Sentinel ID is/.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    });
    p.once('exit', (code) => {
      clearTimeout(timer);
      const message = `redis-server on ${port} exited with ${code}: ${out}`;
      reject(/Address already in use/.test(out) ? new PortTaken(message) : new Error(message));
    });
  });
}

/** A start that failed because its port (or bus port) was bound by someone else meanwhile. */
class PortTaken extends Error {}
