/**
 * The alert rules as promtool sees them: they parse, every alert fires in its unit test (and a
 * rule that could not fire would fail them), each links a runbook entry that exists, and a copy
 * with broken PromQL is refused with the alert and the problem named.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import t from 'tap';
import {
  alertRules,
  RULES,
  RULES_TEST,
  RUNBOOK,
  readRules,
  rulesCopy,
} from '../helpers/alert-rules.js';
import { requireBinary } from '../helpers/binaries.js';

const promtool = requireBinary('promtool', 'prometheus');
const run = (...args: string[]) => {
  const r = spawnSync(promtool, args, { encoding: 'utf8' });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
};

t.test('promtool check rules: the rules parse', async (t) => {
  const r = run('check', 'rules', RULES);
  t.equal(r.code, 0, r.out);
  t.match(r.out, `SUCCESS: ${alertRules().length} rules found`);
});

t.test(
  'promtool test rules: every alert fires on its series, none on the near misses',
  async (t) => {
    const r = run('test', 'rules', RULES_TEST);
    t.equal(r.code, 0, r.out);
    t.match(r.out, /SUCCESS/);
    const tests = readFileSync(RULES_TEST, 'utf8');
    for (const { alert } of alertRules())
      t.match(
        tests,
        new RegExp(`alertname: ${alert}\\n\\s+exp_alerts:\\n\\s+- exp_labels`),
        `${alert} has a case where it fires`,
      );
  },
);

t.test('a rule that cannot fire fails its unit test', async (t) => {
  const copy = rulesCopy((rule) => {
    if (rule.alert === 'CalltrackDrachtioDisconnected')
      rule.expr = 'calltrack_drachtio_connected == 2';
  });
  // the unit tests next to the copy, so `rule_files: [alerts.yml]` reads the copy
  const tests = join(dirname(copy), 'alerts.test.yml');
  copyFileSync(RULES_TEST, tests);
  const r = run('test', 'rules', tests);
  t.equal(r.code, 1, r.out);
  t.match(r.out, /alertname: CalltrackDrachtioDisconnected/);
});

t.test('a copy with broken PromQL is refused, naming the alert and the problem', async (t) => {
  const copy = rulesCopy((rule) => {
    if (rule.alert === 'CalltrackDrachtioDisconnected')
      rule.expr = 'sum(rate(calltrack_drachtio_connected[5m]) == 0';
  });
  const r = run('check', 'rules', copy);
  t.equal(r.code, 1, r.out);
  t.match(r.out, /"CalltrackDrachtioDisconnected": could not parse expression/);
  t.match(r.out, /unclosed left parenthesis/);
});

t.test('every alert has a severity, a summary, a description and a runbook entry', async (t) => {
  const runbook = readFileSync(RUNBOOK, 'utf8');
  const headings = new Set([...runbook.matchAll(/^## (\S+)$/gm)].map((m) => m[1]!.toLowerCase()));
  const rules = alertRules(readRules());
  t.ok(rules.length >= 15, `${rules.length} alerts`);
  for (const rule of rules) {
    t.match(rule.labels?.severity, /^(critical|warning)$/, `${rule.alert}: severity`);
    t.ok(rule.annotations?.summary && rule.annotations.description, `${rule.alert}: texts`);
    const url = rule.annotations?.runbook_url ?? '';
    t.equal(url, `config/deploy/runbook.md#${rule.alert.toLowerCase()}`, `${rule.alert}: link`);
    t.ok(headings.has(url.split('#')[1]!), `${rule.alert}: the runbook has the entry`);
  }
  t.equal(headings.size, rules.length, 'no runbook entry without its alert');
});
