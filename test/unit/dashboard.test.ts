/**
 * The provisioned Grafana dashboard as the compose stack loads it: every query on the datasource
 * whose uid is `prometheus`, a gateway variable that filters them, unique panel ids. (That its
 * queries parse and its metrics exist is test/e2e/prometheus.test.ts.)
 */
import { readFileSync } from 'node:fs';
import t from 'tap';
import { DASHBOARD, dashboardExprs } from '../helpers/alert-rules.js';

type Panel = {
  id: number;
  type: string;
  title: string;
  datasource?: { uid: string };
  gridPos: { x: number; w: number };
  targets?: { expr: string; datasource?: { uid: string } }[];
};
const dash = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as {
  uid: string;
  panels: Panel[];
  templating: { list: { name: string; query: { query: string }; includeAll: boolean }[] };
};

t.test('every panel queries the prometheus datasource', async (t) => {
  const panels = dash.panels.filter((p) => p.type !== 'row');
  t.ok(panels.length >= 20, `${panels.length} panels`);
  for (const p of panels) {
    t.equal(p.datasource?.uid, 'prometheus', `${p.title}: panel datasource`);
    t.ok(p.targets?.length, `${p.title}: has queries`);
    for (const target of p.targets ?? [])
      t.equal(target.datasource?.uid, 'prometheus', `${p.title}: query datasource`);
    t.ok(p.gridPos.x + p.gridPos.w <= 24, `${p.title}: fits the grid`);
  }
  t.equal(new Set(dash.panels.map((p) => p.id)).size, dash.panels.length, 'unique panel ids');
  t.equal(dash.uid, 'calltrack');
});

t.test('a gateway variable from job calltrack filters the per-gateway queries', async (t) => {
  const v = dash.templating.list.find((x) => x.name === 'instance');
  t.match(v, { query: { query: 'label_values(up{job="calltrack"}, instance)' }, includeAll: true });
  const exprs = dashboardExprs().filter((e) => !e.startsWith('label_values('));
  // only the count of versions across all gateways ignores the selection, on purpose
  const unfiltered = exprs.filter((e) => !e.includes('instance=~"$instance"'));
  t.same(unfiltered, ['count(count by (version) (calltrack_dialplan_info{job="calltrack"}))']);
});

t.test('the panels the operators asked for are there', async (t) => {
  const titles = dash.panels.map((p) => p.title);
  for (const title of [
    'Calls per second by outcome',
    'Calls per second by source',
    'Answer-seizure ratio',
    'Average call duration',
    'Call setup time',
    'Dial delay',
    'Active calls',
    'Rejects by reason',
    'Records per second',
    'Redis',
    'drachtio',
    'FreeSWITCH servers connected',
    'Voicemail waiting for delivery',
    'Reloads by result',
    'Dialplan version per gateway',
  ])
    t.ok(titles.includes(title), title);
});
