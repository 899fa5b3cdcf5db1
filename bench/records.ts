/**
 * Call records into a local redis-server through the writer (anonymise, batch, exactly-once
 * script, retention), against a bare ioredis pipelined XADD of the same entries: the floor any
 * writer pays. The writer runs twice: as by default, and with traffic records on (each call's
 * traffic record XADDed beside it, in the same transaction): the issue 15 floor is 0.5x the bare
 * pipeline. Each run starts its own redis-server on a free port. Then the script's cost per
 * record at a few batch sizes, against the same batch as bare pipelined XADDs (pathCost).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Registry } from 'prom-client';
import type { CallRecord } from '../src/call/record.js';
import { createLogger } from '../src/observability/logger.js';
import { createAnonymiser } from '../src/records/anonymise.js';
import { toFields } from '../src/records/entry.js';
import { recordRedis } from '../src/records/open-writer.js';
import { marksKey } from '../src/records/record-keys.js';
import { appendBatch, defineAppend } from '../src/records/redis-append.js';
import { Spool, type Spooled } from '../src/records/spool.js';
import { toTrafficFields, trafficOf } from '../src/records/traffic-entry.js';
import { StreamWriter } from '../src/records/writer.js';
import { createWriterMetrics } from '../src/records/writer-metrics.js';
import { startBenchRedis } from './redis-server.js';
import { figure } from './report.js';

const COUNT = Number(process.env.BENCH_RECORDS ?? 200_000);
const ROUNDS = 3;

const { url, client: admin, stop } = await startBenchRedis('records');

const records: CallRecord[] = Array.from({ length: COUNT }, (_, i) => ({
  recordId: `bench-${i}`,
  callId: `${i}@bench`,
  nodeId: 'bench',
  dialplanVersion: 'v1',
  trackingNumber: '+493025550101',
  customerId: 'autohaus-berlin',
  source: `channel-${i % 7}`,
  outcome: i % 3 === 0 ? 'busy' : 'answered',
  sipStatus: i % 3 === 0 ? 486 : 200,
  ...(i % 3 !== 0 && {
    destinationIndex: 0,
    destination: '+493089001234',
    answeredAt: '2026-11-22T10:00:04.000Z',
  }),
  attempts: [],
  startedAt: '2026-11-22T10:00:00.000Z',
  endedAt: '2026-11-22T10:01:00.000Z',
  ringMs: 4000,
  talkMs: 56_000,
  callerWithheld: false,
  callerNumber: `+4917600${String(i % 100_000).padStart(6, '0')}`,
}));
const anonymise = createAnonymiser('bench-secret');

async function bare(): Promise<number> {
  await admin.del('bench:bare');
  const entries = records.map((r) => toFields(anonymise(r)));
  const t = performance.now();
  for (let i = 0; i < entries.length; i += 500)
    await xaddPipelined(admin, 'bench:bare', entries.slice(i, i + 500));
  return COUNT / ((performance.now() - t) / 1000);
}

/** One pipeline of plain XADDs, an entry per field list: no mark, no journal, no exactly-once. */
async function xaddPipelined(
  client: Pick<typeof admin, 'pipeline'>,
  stream: string,
  entries: readonly string[][],
): Promise<void> {
  const p = client.pipeline();
  for (const f of entries) p.xadd(stream, '*', ...f);
  await p.exec();
}

/**
 * What two streams cost Redis and ioredis alone: each call's entry and its traffic entry, fields
 * ready, pipelined. Not the floor the issue sets (that is `bare`), but it tells how much of the
 * drop with traffic on is the second XADD itself and how much the writer.
 */
async function bareTwoStreams(): Promise<number> {
  await admin.del('bench:bare', 'bench:bare-traffic');
  const entries = records.map((r) => [toFields(anonymise(r)), toTrafficFields(trafficOf(r))]);
  const t = performance.now();
  for (let i = 0; i < entries.length; i += 250) {
    const p = admin.pipeline();
    for (const [call, traffic] of entries.slice(i, i + 250)) {
      p.xadd('bench:bare', '*', ...call!);
      p.xadd('bench:bare-traffic', '*', ...traffic!);
    }
    await p.exec();
  }
  const rate = COUNT / ((performance.now() - t) / 1000);
  await admin.del('bench:bare', 'bench:bare-traffic');
  return rate;
}

async function viaWriter(round: number, traffic: boolean): Promise<number> {
  const spoolDir = mkdtempSync(join(tmpdir(), 'calltrack-bench-spool-'));
  const redis = recordRedis(url);
  // measured from a connected client: a writer that starts unconnected spools what it is given
  await new Promise((resolve) => redis.once('ready', resolve));
  const spool = new Spool(spoolDir, `bench-${round}`, 1 << 30);
  await spool.open();
  const writer = new StreamWriter({
    redis,
    spool,
    stream: `bench:writer:${round}`,
    node: `bench-${round}`,
    retentionDays: 400,
    maxLength: 10_000_000,
    memoryLimit: COUNT,
    spoolAfterMs: 1000,
    anonymise,
    logger: createLogger('silent', new Writable({ write: (_c, _e, cb) => cb() })),
    metrics: createWriterMetrics(new Registry()),
    ...(traffic && { traffic: { stream: `bench:traffic:${round}`, retentionDays: 90 } }),
  });
  const t = performance.now();
  for (const r of records) writer.write(r);
  await writer.flush();
  const rate = COUNT / ((performance.now() - t) / 1000);
  const written = await admin.xlen(`bench:writer:${round}`);
  if (written !== COUNT) throw new Error(`bench records: writer wrote ${written} of ${COUNT}`);
  const billed = traffic ? await admin.xlen(`bench:traffic:${round}`) : COUNT;
  if (billed !== COUNT) throw new Error(`bench records: ${billed} traffic records of ${COUNT}`);
  await writer.close();
  await spool.close();
  redis.disconnect();
  rmSync(spoolDir, { recursive: true, force: true });
  await admin.del(`bench:writer:${round}`, `bench:traffic:${round}`);
  return rate;
}

const PATH_RECORDS = Math.min(10_000, COUNT);
const PATH_SIZES = [1, 15, 64, 500];

/**
 * What the writer's one way to write costs: the client's CPU (user and system of this process,
 * what a gateway spends) and the wall time per record of batches of `size` through the
 * exactly-once script, one batch at a time as the writer sends them, against the same batches as
 * bare XADDs in a pipeline (no mark, no journal, no exactly-once). The batches are anonymised and
 * numbered before the clock starts; both make the fields inside it.
 */
async function pathCost(size: number, bare: boolean): Promise<{ cpuUs: number; wallUs: number }> {
  const redis = defineAppend(recordRedis(url));
  await new Promise((resolve) => redis.once('ready', resolve));
  const target = { stream: 'bench:path', node: 'bench-path', retentionDays: 400 };
  let seq = Number((await redis.hget(marksKey(target.stream), target.node)) ?? 0);
  const batches: Spooled[][] = [];
  for (let i = 0; i + size <= PATH_RECORDS; i += size)
    batches.push(records.slice(i, i + size).map((r) => ({ seq: ++seq, record: anonymise(r) })));
  const send = (batch: Spooled[]) =>
    bare
      ? xaddPipelined(
          redis,
          target.stream,
          batch.map((item) => toFields(item.record)),
        )
      : appendBatch(redis, target, batch);
  // the first tenth warms the JIT up and loads the script
  const warm = Math.ceil(batches.length / 10);
  for (const batch of batches.slice(0, warm)) await send(batch);
  const n = (batches.length - warm) * size;
  const cpu = process.cpuUsage();
  const t = performance.now();
  for (const batch of batches.slice(warm)) await send(batch);
  const wallUs = ((performance.now() - t) * 1000) / n;
  const used = process.cpuUsage(cpu);
  redis.disconnect();
  await admin.del(target.stream);
  return { cpuUs: (used.user + used.system) / n, wallUs };
}

let best = { bare: 0, two: 0, writer: 0, traffic: 0 };
type PathCost = Awaited<ReturnType<typeof pathCost>>;
const paths: { size: number; pipeline: PathCost; script: PathCost }[] = [];
try {
  for (let round = 0; round < ROUNDS; round++) {
    best = {
      bare: Math.max(best.bare, await bare()),
      two: Math.max(best.two, await bareTwoStreams()),
      writer: Math.max(best.writer, await viaWriter(round, false)),
      traffic: Math.max(best.traffic, await viaWriter(round, true)),
    };
  }
  for (const size of PATH_SIZES) {
    // the least of three rounds each, taken in turns: the machine's noise only ever adds
    const path = {
      size,
      pipeline: { cpuUs: Infinity, wallUs: Infinity },
      script: { cpuUs: Infinity, wallUs: Infinity },
    };
    for (let round = 0; round < ROUNDS; round++)
      for (const how of ['pipeline', 'script'] as const) {
        const got = await pathCost(size, how === 'pipeline');
        path[how] = {
          cpuUs: Math.min(path[how].cpuUs, got.cpuUs),
          wallUs: Math.min(path[how].wallUs, got.wallUs),
        };
      }
    paths.push(path);
  }
} finally {
  admin.disconnect();
  stop();
}
figure('records', 'records', COUNT, 'records');
figure('records', 'bare-xadd-pipeline-baseline', best.bare, 'records/s');
figure('records', 'writer', best.writer, 'records/s');
figure('records', 'ratio-to-baseline', best.writer / best.bare, 'x');
figure('records', 'writer+traffic', best.traffic, 'records/s');
figure('records', 'writer+traffic-ratio-to-baseline', best.traffic / best.bare, 'x');
figure('records', 'bare-xadd-two-streams', best.two, 'records/s');
figure('records', 'writer+traffic-ratio-to-two-streams', best.traffic / best.two, 'x');
for (const { size, pipeline, script } of paths) {
  figure('records', `pipeline-cpu-per-record-batch-${size}`, pipeline.cpuUs, 'us');
  figure('records', `script-cpu-per-record-batch-${size}`, script.cpuUs, 'us');
  figure('records', `script-to-pipeline-cpu-batch-${size}`, script.cpuUs / pipeline.cpuUs, 'x');
  figure('records', `script-to-pipeline-wall-batch-${size}`, script.wallUs / pipeline.wallUs, 'x');
}
