/**
 * Records under load across a Redis failover, for the Cluster and Sentinel tests: `count` calls
 * through a StreamWriter (traffic records on), `fault` run once half of them are written, then
 * everything flushed (`fault` done) and the streams counted by record id: each id exactly once, in both streams.
 */
import type { Test } from 'tap';
import { recordRedis } from '../../src/records/open-writer.js';
import { DEFAULT_RECORD_STREAM, DEFAULT_TRAFFIC_STREAM } from '../../src/records/record-keys.js';
import { callRecord, testWriter } from './records.js';
import { countIds, recordIds } from './stream-ids.js';
import { tempDir } from './temp-dir.js';
import { waitFor } from './wait.js';

export type LoadResult = {
  written: number;
  /** Entries per record id in the call stream and the traffic stream. */
  calls: Map<string, number>;
  traffic: Map<string, number>;
  ids: readonly string[];
  spooled: number;
};

export async function writeThroughFailover(
  t: Test,
  url: string,
  count: number,
  fault: () => Promise<void>,
  minReplicas = 1,
): Promise<LoadResult> {
  const redis = recordRedis(url);
  redis.on('error', () => undefined);
  t.teardown(() => redis.disconnect());
  await waitFor(() => redis.status === 'ready', 15_000, 'the writer connection');
  const { writer, spool, close } = await testWriter(redis, tempDir('calltrack-spool-'), {
    stream: DEFAULT_RECORD_STREAM,
    traffic: { stream: DEFAULT_TRAFFIC_STREAM, retentionDays: 90 },
    minReplicas,
    spoolAfterMs: 200,
  });
  t.teardown(close);
  const ids: string[] = [];
  let spooled = 0;
  let faulted: Promise<void> | undefined;
  for (let i = 0; i < count; i++) {
    const record = callRecord('answered', { recordId: `fo-${i}` });
    ids.push(record.recordId);
    writer.write(record);
    // a steady load, not one burst: the fault lands among batches in flight
    if (i % 50 === 49) await new Promise((r) => setTimeout(r, 10));
    // the fault runs beside the load: calls keep ending while the master is down
    if (i === Math.floor(count / 2)) faulted = fault();
    spooled = Math.max(spooled, spool.pending);
  }
  await faulted;
  await waitFor(
    async () => {
      await writer.flush();
      spooled = Math.max(spooled, spool.pending);
      return (spool.pending === 0 && writer.redisUp) || undefined;
    },
    90_000,
    'every record written (memory and spool empty)',
  );
  await writer.close();
  const reader = recordRedis(url);
  reader.on('error', () => undefined);
  t.teardown(() => reader.disconnect());
  await waitFor(() => reader.status === 'ready', 15_000, 'the reading connection');
  return {
    written: count,
    calls: countIds(await recordIds(reader, DEFAULT_RECORD_STREAM)),
    traffic: countIds(await recordIds(reader, DEFAULT_TRAFFIC_STREAM)),
    ids,
    spooled,
  };
}

/** 0 lost, 0 duplicated, nothing foreign: the stream holds each id exactly once. */
export function checkExactlyOnce(t: Test, result: LoadResult): void {
  for (const [name, seen] of [
    ['calls', result.calls],
    ['traffic', result.traffic],
  ] as const) {
    const lost = result.ids.filter((id) => !seen.has(id));
    const dupes = [...seen].filter(([, n]) => n > 1);
    t.equal(lost.length, 0, `${name}: 0 lost (${lost.slice(0, 5).join(' ')})`);
    t.equal(dupes.length, 0, `${name}: 0 duplicated (${JSON.stringify(dupes.slice(0, 5))})`);
    t.equal(seen.size, result.ids.length, `${name}: exactly ${result.ids.length} records`);
  }
}
