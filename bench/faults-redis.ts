/**
 * The redis-server of `bench/faults`, which kills it (SIGKILL) and starts it again on the SAME
 * port with the SAME data directory, so the gateway's client reconnects to where it was and finds
 * what it had written.
 *
 * Persistence: append-only file with `appendfsync always`. Redis answers a write only after the
 * AOF is fsynced, so SIGKILL loses nothing Redis acknowledged, and the writer holds on to (and
 * later retries, deduplicated by its per-node sequence) whatever was not acknowledged. An RDB
 * snapshot, or AOF with `everysec`, would lose up to the last snapshot or second of acknowledged
 * XADDs to the kill itself: the bench would count Redis's losses as the gateway's.
 */

import { spawn } from 'node:child_process';
import { Redis } from 'ioredis';
import { freeTcpPort } from '../test/helpers/ports.js';
import { type Proc, tempDir, trackChild } from './cps-procs.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class FaultRedis {
  readonly url: string;
  readonly #port: number;
  readonly #dir: string;
  #proc: Proc | undefined;

  private constructor(port: number, dir: string) {
    this.#port = port;
    this.#dir = dir;
    this.url = `redis://127.0.0.1:${port}`;
  }

  static async start(): Promise<FaultRedis> {
    const redis = new FaultRedis(await freeTcpPort(), tempDir('calltrack-bench-faults-redis-'));
    await redis.up();
    return redis;
  }

  get running(): boolean {
    return this.#proc !== undefined;
  }

  /** Starts redis-server (again) and waits until it answers PING with its data loaded. */
  async up(): Promise<void> {
    // biome-ignore format: flag/value pairs read best side by side
    const child = spawn('redis-server', [
      '--port', String(this.#port), '--bind', '127.0.0.1', '--dir', this.#dir,
      '--save', '', '--appendonly', 'yes', '--appendfsync', 'always',
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.on('error', () => undefined);
    const proc = trackChild(child);
    this.#proc = proc;
    for (let i = 0; i < 200; i++) {
      if (proc.child.exitCode !== null) break;
      const client = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0 });
      client.on('error', () => undefined);
      const ok = await client
        .connect()
        .then(() => client.ping())
        .then((r) => r === 'PONG')
        .catch(() => false);
      client.disconnect();
      if (ok) return;
      await sleep(50);
    }
    throw new Error(`redis-server did not come up on port ${this.#port}:\n${proc.output()}`);
  }

  /** SIGKILL, as a crash or the OOM killer would. */
  async kill(): Promise<void> {
    await this.#proc?.stop();
    this.#proc = undefined;
  }

  /** A client of the bench's own, for counting; disconnect it when done. */
  client(): Redis {
    const client = new Redis(this.url, { retryStrategy: (n) => (n > 50 ? null : 100) });
    client.on('error', () => undefined);
    return client;
  }
}
