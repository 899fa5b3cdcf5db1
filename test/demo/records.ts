/**
 * Where the gateway's call records go in the demo: a redis-server of its own when one is
 * installed (the production sink, an anonymised stream), else the JSON-lines file sink. Either way
 * the demo reads the records back to show which record each call wrote.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { loadConfig } from '../../src/config/load.js';
import { fromFields } from '../../src/records/entry.js';
import { freeTcpPort } from '../helpers/ports.js';
import type { Processes } from './procs.js';

/** The fields the demo shows, as both sinks name them. */
export type ShownRecord = {
  id: string;
  trackingNumber: string;
  outcome: string;
  sipStatus: string;
  why: string;
};

export type RecordStore = {
  /** The gateway's environment for this sink. */
  env: Record<string, string>;
  /** Where the records went, for a person to look. */
  where: string[];
  /** The records so far, waiting until there are at least `count` (or 10 s passed). */
  read(count: number): Promise<ShownRecord[]>;
};

/** The stream the gateway writes unless RECORD_STREAM says otherwise. */
const STREAM = loadConfig({}).records.stream;

export async function redisStore(procs: Processes, bin: string, dir: string): Promise<RecordStore> {
  const port = await freeTcpPort();
  // biome-ignore format: flag/value pairs read best side by side
  const started = procs.spawn('redis-server', bin, [
    '--port', String(port), '--bind', '127.0.0.1', '--dir', dir,
    '--save', '', '--appendonly', 'no', '--protected-mode', 'yes',
  ]);
  await readyLine(started.child.stdout, 'Ready to accept connections', 'redis-server');
  const url = `redis://127.0.0.1:${port}`;
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  procs.onStop(() => redis.disconnect());
  const read = async (count: number) => {
    let records: ShownRecord[] = [];
    for (let i = 0; i < 100 && records.length < count; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 100));
      const entries = await redis.xrange(STREAM, '-', '+');
      records = entries.map(([, fields]) => {
        const r = fromFields(fields);
        return shown({ ...r, why: r.rejectReason || r.afterHours });
      });
    }
    return records;
  };
  return {
    env: { RECORD_SINK: 'redis', REDIS_URL: url, RECORD_SPOOL_DIR: join(dir, 'spool') },
    where: [
      `Redis ${url}, stream ${STREAM} (anonymised: no caller numbers)`,
      `  redis-cli -p ${port} XRANGE ${STREAM} - +      (while the demo runs: --keep)`,
    ],
    read,
  };
}

export function fileStore(dir: string): RecordStore {
  const path = join(dir, 'records.jsonl');
  const read = async (count: number) => {
    let records: ShownRecord[] = [];
    for (let i = 0; i < 100 && records.length < count; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 100));
      const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
      records = text
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .map((r) => shown({ ...r, id: r.recordId, why: r.rejectReason ?? afterHours(r) }));
    }
    return records;
  };
  return {
    env: { RECORD_SINK: `file:${path}` },
    where: [
      `file ${path} (JSON lines, kept after the demo; with redis-server installed they go to a Redis stream)`,
    ],
    read,
  };
}

function afterHours(r: Record<string, unknown>): string {
  const a = r.afterHours as { why?: string } | undefined;
  return a?.why ?? '';
}

function shown(r: Record<string, unknown>): ShownRecord {
  const text = (v: unknown) => (v === undefined || v === null ? '' : String(v));
  return {
    id: text(r.id),
    trackingNumber: text(r.trackingNumber),
    outcome: text(r.outcome),
    sipStatus: text(r.sipStatus),
    why: text(r.why),
  };
}

/** Resolves when `stream` prints `line`; rejects when it ends first or after 10 s. */
export function readyLine(
  stream: NodeJS.ReadableStream | null,
  line: string,
  who: string,
): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(
      () => reject(new Error(`${who} not ready after 10 s:\n${out}`)),
      10_000,
    );
    stream?.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      if (out.includes(line)) {
        clearTimeout(timer);
        resolve(out);
      }
    });
    stream?.once('end', () => {
      clearTimeout(timer);
      reject(new Error(`${who} ended before it was ready:\n${out}`));
    });
  });
}
