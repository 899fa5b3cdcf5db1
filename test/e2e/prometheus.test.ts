/**
 * The alert rules and the dashboard against a real Prometheus scraping a real gateway: the
 * drachtio-disconnected alert is quiet while drachtio is there and fires once it is gone; every
 * metric the rules and the dashboard read is one the gateway exports, and every dashboard query
 * is PromQL Prometheus accepts.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import {
  alertRules,
  DASHBOARD,
  dashboardExprs,
  metricNames,
  missingFromExposition,
  rulesCopy,
} from '../helpers/alert-rules.js';
import { CUSTOMERS, numbersYaml } from '../helpers/call-bed.js';
import { type Gateway, startGateway } from '../helpers/gateway.js';
import { type PrometheusServer, startPrometheus } from '../helpers/prometheus.js';
import { startRedis } from '../helpers/redis.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

/** A gateway with every metric registered: the Redis record sink adds the writer's and Redis's. */
async function gateway(t: Test): Promise<Gateway> {
  const redis = await startRedis(t);
  return startGateway(
    t,
    { 'customers.yaml': CUSTOMERS, 'numbers.yaml': numbersYaml([{ port: 9 }]) },
    {
      RECORD_SINK: 'redis',
      REDIS_URL: redis.url,
      RECORD_SPOOL_DIR: tempDir('calltrack-gw-spool-'),
    },
  );
}

/** The project's rules with every `for:` at 2 s, so a live Prometheus fires them in seconds. */
const quickRules = () =>
  rulesCopy((rule) => {
    if (rule.for) rule.for = '2s';
  });

const sample = async (prom: PrometheusServer, expr: string) => {
  const r = await prom.query(expr);
  return r.ok ? r.result[0]?.value[1] : undefined;
};

t.test('drachtio gone: the alert goes from quiet to firing', async (t) => {
  const gw = await gateway(t);
  const instance = `127.0.0.1:${gw.httpPort}`;
  const prom = await startPrometheus(t, { targets: [instance], rules: quickRules() });
  await waitFor(
    async () => (await sample(prom, 'calltrack_drachtio_connected{job="calltrack"}')) === '1',
    20_000,
    'the gateway scraped, drachtio connected',
  );
  t.equal(await sample(prom, 'up{job="calltrack"}'), '1', 'up for job calltrack');
  t.equal(await sample(prom, 'calltrack_ready'), '1', 'calltrack_ready follows /readyz');
  // several evaluations, longer than the shortened `for:`, with the gateway healthy
  await new Promise((r) => setTimeout(r, 4000));
  const before = await prom.alerts();
  t.same(
    before.filter((a) => a.labels.alertname?.startsWith('Calltrack')),
    [],
    'no alert (not even pending) while the gateway is healthy',
  );

  const lost = Date.now();
  await gw.standin.close();
  const states = new Set<string>();
  const firing = await waitFor(
    async () => {
      const a = (await prom.alerts()).find(
        (x) => x.labels.alertname === 'CalltrackDrachtioDisconnected',
      );
      if (a) states.add(a.state);
      return a?.state === 'firing' ? a : undefined;
    },
    30_000,
    `CalltrackDrachtioDisconnected firing\n${prom.logs()}`,
  );
  t.comment(`firing ${Date.now() - lost} ms after drachtio went away (seen: ${[...states]})`);
  t.match(firing.labels, { instance, job: 'calltrack', severity: 'critical' });
  await waitFor(
    async () =>
      (await prom.alerts()).some(
        (a) => a.labels.alertname === 'CalltrackNotReady' && a.state === 'firing',
      ),
    30_000,
    'CalltrackNotReady firing too (calltrack_ready read at scrape)',
  );
  t.pass('not ready fires as well: the gauge follows /readyz');
});

t.test('every metric the rules and the dashboard read, the gateway exports', async (t) => {
  const gw = await gateway(t);
  // the record writer connects to Redis on its own, after the gateway is ready: a busy machine
  // can scrape before it has
  const connected = /^calltrack_redis_connected 1$/m;
  const exposition = await waitFor(
    async () => {
      const text = await gw.metrics();
      return connected.test(text) ? text : undefined;
    },
    15_000,
    'calltrack_redis_connected 1',
  );
  const names = [
    ...new Set([
      ...alertRules().flatMap((r) => metricNames(r.expr)),
      ...dashboardExprs().flatMap(metricNames),
    ]),
  ].sort();
  t.ok(names.length >= 25, `${names.length} names: ${names.join(' ')}`);
  t.ok(names.includes('up') && names.includes('calltrack_call_duration_seconds_sum'));
  t.same(missingFromExposition(names, exposition), [], 'none missing from /metrics');
  t.match(
    exposition,
    /^calltrack_media_servers_configured 0$/m,
    'signalling only: no FreeSWITCH to miss',
  );
  t.match(exposition, connected, 'the record writer reached Redis');

  // the check reports what it does not find: a made-up name in a copy of the dashboard
  const copy = join(tempDir('calltrack-dash-'), 'calltrack.json');
  const dash = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: unknown[] };
  dash.panels.push({
    type: 'timeseries',
    targets: [
      { refId: 'A', expr: 'rate(calltrack_calls_totl[5m]) + calltrack_made_up_seconds_sum' },
    ],
  });
  writeFileSync(copy, JSON.stringify(dash));
  const copied = dashboardExprs(copy).flatMap(metricNames);
  t.same(missingFromExposition(copied, exposition).sort(), [
    'calltrack_calls_totl',
    'calltrack_made_up_seconds_sum',
  ]);
});

t.test('Prometheus accepts every dashboard query', async (t) => {
  const gw = await gateway(t);
  const prom = await startPrometheus(t, {
    targets: [`127.0.0.1:${gw.httpPort}`],
    rules: quickRules(),
  });
  // Grafana's variables as Grafana would fill them in
  const filled = (expr: string) =>
    expr
      .replaceAll('$__rate_interval', '1m')
      .replaceAll('$__range', '5m')
      .replaceAll('$instance', '.*');
  const exprs = dashboardExprs().filter((e) => !e.startsWith('label_values('));
  t.ok(exprs.length > 20, `${exprs.length} queries`);
  for (const expr of exprs) {
    const r = await prom.query(filled(expr));
    t.ok(r.ok, `${expr}${r.ok ? '' : `: ${r.error}`}`);
  }
  const bad = await prom.query('sum by (reason (rate(calltrack_rejects_total[1m]))');
  t.match(bad, { ok: false, error: /parse error/ }, 'a broken query is refused');
});
