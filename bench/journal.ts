/**
 * The call journal's cost per call on the gateway (issue 16 item 3, beside item 7's CPU budget):
 * what a call adds to the gateway's CPU for its entry, against a real redis-server. Calls arrive
 * at BENCH_JOURNAL_RATE per second (default 300) for BENCH_JOURNAL_SECONDS (5); each is begun,
 * answered 50 ms later and ended 200 ms later, as the cps benchmark's calls are; the journal
 * batches and sends them as in production. The figure is this process's CPU time (user +
 * system) over the run, minus a baseline run doing the same around the journal (the call
 * objects, their timers; the heartbeat), after a warm-up pair, per call:
 * the journal's share of the gateway's ~1.6 ms per call. Every call's entry, with its answer,
 * must have reached Redis (no writer runs here to remove them).
 */
import { Registry } from 'prom-client';
import type { JournalStart } from '../src/call/record.js';
import { createLogger } from '../src/observability/logger.js';
import { createAnonymiser } from '../src/records/anonymise.js';
import { RedisJournal } from '../src/records/journal.js';
import { createJournalMetrics } from '../src/records/journal-metrics.js';
import { recordRedis } from '../src/records/open-writer.js';
import { DEFAULT_RECORD_STREAM, journalKey } from '../src/records/record-keys.js';
import { startBenchRedis } from './redis-server.js';
import { figure } from './report.js';

const RATE = Number(process.env.BENCH_JOURNAL_RATE ?? 300);
const SECONDS = Number(process.env.BENCH_JOURNAL_SECONDS ?? 5);
const STREAM = DEFAULT_RECORD_STREAM;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

let writeFailures = 0;

async function run(redisUrl: string, calls: boolean): Promise<number> {
  const redis = recordRedis(redisUrl);
  await new Promise((resolve) => redis.once('ready', resolve));
  const metrics = createJournalMetrics(new Registry());
  const journal = new RedisJournal({
    redis,
    stream: STREAM,
    node: calls ? 'bench-calls' : 'bench-idle',
    anonymise: createAnonymiser('bench-secret'),
    traffic: false,
    heartbeatMs: 1000,
    lostMs: 30_000,
    spoolDrained: () => true,
    logger: createLogger('silent'),
    metrics,
  });
  journal.start();
  await sleep(200);
  const started = cpuMs();
  const total = RATE * SECONDS;
  for (let i = 0; i < total; i++) {
    const call: JournalStart = {
      recordId: `bench-${i}`,
      callId: `c${i}@bench`,
      nodeId: 'bench-calls',
      dialplanVersion: 'v1',
      startedAt: new Date().toISOString(),
      callerWithheld: false,
      callerNumber: '+4917655501234',
      trackingNumber: '+493025550101',
      customerId: 'autohaus-berlin',
      source: 'mobile.de',
    };
    // the baseline does the same work around the journal: the call, its two timers
    if (calls) journal.begin(call);
    setTimeout(() => calls && journal.answered(call.recordId, Date.now(), 0), 50);
    setTimeout(() => calls && journal.end(call.recordId), 200);
    if (i % 10 === 9) await sleep(10_000 / RATE);
  }
  await sleep(500);
  const used = cpuMs() - started;
  await journal.close();
  redis.disconnect();
  writeFailures = (await metrics.writeFailures.get()).values[0]?.value ?? 0;
  return used;
}

const redis = await startBenchRedis('journal');
try {
  // a first pair warms the code up (JIT, ioredis' script and command paths); the second counts
  await run(redis.url, false);
  await run(redis.url, true);
  await redis.client.del(journalKey(STREAM, 'bench-calls'));
  const idle = await run(redis.url, false);
  const busy = await run(redis.url, true);
  const perCall = ((busy - idle) / (RATE * SECONDS)) * 1000;
  figure('journal', `cpu per call at ${RATE}/s`, Math.round(perCall * 10) / 10, 'µs');
  // no writer here removes them: every call lasted long enough to be sent, answer included
  const noted = await redis.client.hvals(journalKey(STREAM, 'bench-calls'));
  const answered = noted.filter((v) => v.includes('answeredAt')).length;
  figure('journal', 'entries in Redis', noted.length, 'entries');
  // a batch Redis did not take in time (a loaded machine) is re-sent only for calls still going
  const expected = writeFailures === 0;
  if (expected && (noted.length !== RATE * SECONDS || answered !== noted.length)) {
    process.stderr.write(`journal: ${noted.length} entries, ${answered} answered\n`);
    process.exitCode = 1;
  }
  if (!expected) process.stderr.write(`journal: ${writeFailures} batches not taken by Redis\n`);
} finally {
  redis.stop();
}
