/**
 * Gauges read at scrape time (calltrack_ready, calltrack_redis_connected): the exported value
 * follows the state it reads, without anybody setting it.
 */
import { Registry } from 'prom-client';
import t from 'tap';
import { createMetrics } from '../../src/observability/metrics.js';
import { stateGauge } from '../../src/observability/tallied.js';

t.test('a state gauge follows what it reads at each scrape', async (t) => {
  const registry = new Registry();
  let ready = true;
  stateGauge(registry, 'calltrack_ready', 'test', () => ready);
  t.match(await registry.metrics(), /^calltrack_ready 1$/m);
  ready = false;
  t.match(await registry.metrics(), /^calltrack_ready 0$/m);
});

t.test('call duration and recording purge metrics are registered', async (t) => {
  const m = createMetrics();
  m.callDuration.observe(42);
  m.recordingPurgeFailures.inc();
  m.recordingPurgeLastSuccess.set(1_700_000_000);
  const text = await m.registry.metrics();
  t.match(text, /^calltrack_call_duration_seconds_sum 42$/m);
  t.match(text, /^calltrack_call_duration_seconds_bucket\{le="60"\} 1$/m);
  t.match(text, /^calltrack_recording_purge_failures_total 1$/m);
  t.match(text, /^calltrack_recording_purge_last_success_timestamp_seconds 1700000000$/m);
});
