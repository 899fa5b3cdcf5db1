/** Call records and a writer wired to a test's Redis, spool directory and captured log. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Registry } from 'prom-client';
import type { Test } from 'tap';
import type { CallOutcome, CallRecord } from '../../src/call/record.js';
import { createLogger } from '../../src/observability/logger.js';
import { createAnonymiser } from '../../src/records/anonymise.js';
import { recordRedis } from '../../src/records/open-writer.js';
import { Spool } from '../../src/records/spool.js';
import { StreamWriter } from '../../src/records/writer.js';
import { createWriterMetrics } from '../../src/records/writer-metrics.js';
import type { WriterOptions } from '../../src/records/writer-options.js';
import type { RedisClient } from '../../src/redis/connect.js';

export const DISTINCT_CALLER = '+4917655501234';

let counter = 0;
export function callRecord(outcome: CallOutcome, over: Partial<CallRecord> = {}): CallRecord {
  counter++;
  const answered = outcome === 'answered';
  return {
    recordId: `rec-${process.pid}-${counter}`,
    callId: `call-${counter}@test`,
    nodeId: 'gw-test',
    dialplanVersion: 'v1',
    trackingNumber: '+493025550101',
    customerId: 'autohaus-berlin',
    source: 'mobile.de',
    outcome,
    sipStatus: {
      answered: 200,
      busy: 486,
      'no-answer': 480,
      unreachable: 480,
      cancelled: 487,
      failed: 480,
      rejected: 404,
      closed: 480,
    }[outcome],
    ...(outcome === 'rejected' && { rejectReason: 'unknown' }),
    ...(outcome === 'closed' && { afterHours: { why: 'hours', action: 'refuse' } as const }),
    ...(answered && {
      destinationIndex: 0,
      answeredAt: '2026-11-22T10:00:05.000Z',
      talkMs: 60_000,
    }),
    attempts: [],
    startedAt: '2026-11-22T10:00:00.000Z',
    endedAt: '2026-11-22T10:01:05.000Z',
    ringMs: 5000,
    callerWithheld: false,
    callerNumber: DISTINCT_CALLER,
    ...over,
  };
}

/** A writer with the test defaults (node `gw-test`, stream `calltrack:{records}:calls`) and its opened spool. */
export async function testWriter(
  redis: RedisClient,
  spoolDir: string,
  over: Partial<WriterOptions> = {},
): Promise<{ writer: StreamWriter; spool: Spool; close: () => Promise<void> }> {
  const spool = new Spool(spoolDir, 'gw-test', 1 << 30);
  await spool.open();
  const writer = new StreamWriter({
    redis,
    spool,
    stream: 'calltrack:{records}:calls',
    node: 'gw-test',
    retentionDays: 400,
    maxLength: 1_000_000,
    memoryLimit: 1000,
    spoolAfterMs: 200,
    anonymise: createAnonymiser(undefined),
    logger: createLogger('silent'),
    metrics: createWriterMetrics(new Registry()),
    ...over,
  });
  // the writer's last spill needs the spool open; a spool left open is closed by the GC, with a
  // DEP0137 warning in the test's output. Both closes may run twice.
  const close = async () => {
    await writer.close();
    await spool.close();
  };
  return { writer, spool, close };
}

export type WriterBed = {
  writer: StreamWriter;
  spool: Spool;
  spoolDir: string;
  logs: () => string;
  metrics: Registry;
  close(): Promise<void>;
};

export async function writerBed(
  t: Test,
  url: string,
  over: Partial<WriterOptions> & { spoolDir?: string; secret?: string } = {},
): Promise<WriterBed> {
  const spoolDir = over.spoolDir ?? mkdtempSync(join(tmpdir(), 'calltrack-spool-'));
  let logs = '';
  const logger = createLogger(
    'debug',
    new Writable({
      write(c, _e, cb) {
        logs += String(c);
        cb();
      },
    }),
  );
  const registry = new Registry();
  const redis = recordRedis(url);
  redis.on('error', () => undefined);
  // a writer whose first send finds no connection yet spools at once when flushed: start connected
  await new Promise((resolve) => redis.once('ready', resolve));
  const {
    writer,
    spool,
    close: closeWriter,
  } = await testWriter(redis, spoolDir, {
    logger,
    metrics: createWriterMetrics(registry),
    anonymise: createAnonymiser(over.secret),
    ...over,
  });
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await closeWriter();
    redis.disconnect();
  };
  t.teardown(async () => {
    await close();
    if (!over.spoolDir) rmSync(spoolDir, { recursive: true, force: true });
  });
  return { writer, spool, spoolDir, logs: () => logs, metrics: registry, close };
}
