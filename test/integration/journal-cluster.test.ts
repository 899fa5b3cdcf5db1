/**
 * The call journal on a real Redis Cluster (three masters, three replicas on loopback): its keys
 * share the record stream's hash tag, so the append script (stream, marks, journal, tombstones)
 * and the reaper's script (stream, beats, journal, tombstones) each run in one slot. A call that
 * ends removes its entry with its record; a lost node's other calls are written once as
 * `node-lost` by a gateway still running.
 */
import { Registry } from 'prom-client';
import t, { type Test } from 'tap';
import type { JournalStart } from '../../src/call/record.js';
import { createLogger } from '../../src/observability/logger.js';
import { createAnonymiser } from '../../src/records/anonymise.js';
import { fromFields } from '../../src/records/entry.js';
import { RedisJournal } from '../../src/records/journal.js';
import { createJournalMetrics } from '../../src/records/journal-metrics.js';
import { recordRedis } from '../../src/records/open-writer.js';
import { beatsKey, DEFAULT_RECORD_STREAM, journalKey } from '../../src/records/record-keys.js';
import type { RedisClient } from '../../src/redis/connect.js';
import { callRecord, writerBed } from '../helpers/records.js';
import { startRedisCluster } from '../helpers/redis-cluster.js';
import { waitFor } from '../helpers/wait.js';

const CALLS = DEFAULT_RECORD_STREAM;

async function connected(t: Test, url: string): Promise<RedisClient> {
  const redis = recordRedis(url);
  redis.on('error', () => undefined);
  t.teardown(() => redis.disconnect());
  await waitFor(() => redis.status === 'ready', 15_000, 'a cluster connection');
  return redis;
}

async function journalOn(t: Test, url: string, node: string): Promise<RedisJournal> {
  const journal = new RedisJournal({
    redis: await connected(t, url),
    stream: CALLS,
    node,
    anonymise: createAnonymiser(undefined),
    traffic: false,
    heartbeatMs: 100,
    lostMs: 400,
    spoolDrained: () => true,
    logger: createLogger('silent'),
    metrics: createJournalMetrics(new Registry()),
  });
  journal.start();
  t.teardown(() => journal.close());
  return journal;
}

const start = (i: number): JournalStart => ({
  recordId: `cl-${i}`,
  callId: `call-${i}@test`,
  nodeId: 'gw-test',
  dialplanVersion: 'v1',
  startedAt: new Date(Date.now() - 10_000).toISOString(),
  callerWithheld: false,
  callerNumber: '+4917655501234',
  trackingNumber: '+493025550101',
  customerId: 'autohaus-berlin',
  source: 'mobile.de',
});

t.test('ended calls leave with their records, a lost node is reaped once', async (t) => {
  const cluster = await startRedisCluster(t);
  const r = await connected(t, cluster.url);
  const dying = await journalOn(t, cluster.url, 'gw-test');
  const calls = Array.from({ length: 20 }, (_, i) => start(i));
  for (const [i, c] of calls.entries()) {
    dying.begin(c);
    if (i % 2 === 0) dying.answered(c.recordId, Date.now() - 3000, 0);
  }
  const key = journalKey(CALLS, 'gw-test');
  await waitFor(async () => (await r.hlen(key)) === 20, 5000, 'every entry in the cluster');
  // five calls end normally: the writer (node gw-test) removes their entries with the records
  const bed = await writerBed(t, cluster.url);
  for (const c of calls.slice(0, 5))
    bed.writer.write(callRecord('answered', { recordId: c.recordId }));
  await bed.writer.flush();
  await waitFor(async () => (await r.hlen(key)) === 15, 5000, 'the ended calls out of the journal');
  await bed.close();
  await dying.close();
  await journalOn(t, cluster.url, 'gw-b');
  await waitFor(async () => (await r.hlen(key)) === 0, 10_000, 'the lost node reaped');
  const got = (await r.xrange(CALLS, '-', '+')).map(([, f]) => fromFields(f));
  t.equal(got.length, 20, 'one record per call');
  t.equal(new Set(got.map((e) => e.id)).size, 20, 'no call twice');
  t.equal(got.filter((e) => e.endedBy === 'node-lost').length, 15, 'the 15 left: node-lost');
  t.equal(await r.hexists(beatsKey(CALLS), 'gw-test'), 0, "the lost node's beat is gone");
});
