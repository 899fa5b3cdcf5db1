/**
 * The project's alert rules and Grafana dashboard as data, for the tests that run them through
 * promtool and a real Prometheus and check that every metric they name exists.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { ROOT } from './built.js';
import { tempDir } from './temp-dir.js';

export const RULES = join(ROOT, 'config', 'deploy', 'prometheus', 'alerts.yml');
export const RULES_TEST = join(ROOT, 'config', 'deploy', 'prometheus', 'alerts.test.yml');
export const RUNBOOK = join(ROOT, 'config', 'deploy', 'runbook.md');
export const DASHBOARD = join(ROOT, 'config', 'deploy', 'grafana', 'dashboards', 'calltrack.json');

export type AlertRule = {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
};
export type RuleFile = { groups: { name: string; rules: AlertRule[] }[] };

export function readRules(file = RULES): RuleFile {
  return parse(readFileSync(file, 'utf8')) as RuleFile;
}

export function alertRules(rules: RuleFile = readRules()): AlertRule[] {
  return rules.groups.flatMap((g) => g.rules);
}

/**
 * A copy of the rules in a temp dir, changed by `edit` (a shorter `for:` for a live Prometheus,
 * a broken expression): the tests never keep a second rules file that could drift.
 */
export function rulesCopy(edit: (rule: AlertRule) => void): string {
  const rules = readRules();
  for (const rule of alertRules(rules)) edit(rule);
  const file = join(tempDir('calltrack-rules-'), 'alerts.yml');
  writeFileSync(file, stringify(rules));
  return file;
}

/** Every expression of the dashboard's panels (and its template variables' queries). */
export function dashboardExprs(file = DASHBOARD): string[] {
  type Panel = { targets?: { expr?: string }[]; panels?: Panel[] };
  const d = JSON.parse(readFileSync(file, 'utf8')) as {
    panels: Panel[];
    templating?: { list: { query?: string | { query?: string } }[] };
  };
  const out: string[] = [];
  const walk = (panels: Panel[]) => {
    for (const p of panels) {
      for (const target of p.targets ?? []) if (target.expr) out.push(target.expr);
      walk(p.panels ?? []);
    }
  };
  walk(d.panels);
  for (const v of d.templating?.list ?? []) {
    const q = typeof v.query === 'string' ? v.query : v.query?.query;
    if (q) out.push(q);
  }
  return out;
}

/**
 * The metric names a PromQL expression reads, roughly: `calltrack_…` identifiers and `up`, with
 * string literals (label values) and Grafana variables left out. Good enough for our own rules.
 */
export function metricNames(expr: string): string[] {
  const code = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""').replace(/\$\w+|\$\{[^}]*\}/g, '');
  const names = new Set<string>();
  for (const m of code.matchAll(/\b(calltrack_[a-z0-9_]+|up)\b/g)) names.add(m[1]!);
  return [...names].sort();
}

/**
 * The names of `wanted` that `/metrics` text does not declare (# TYPE). A histogram's or
 * summary's _bucket/_sum/_count count as its base name; `up` comes from Prometheus, not from us.
 */
export function missingFromExposition(wanted: readonly string[], exposition: string): string[] {
  const types = new Map<string, string>();
  for (const m of exposition.matchAll(/^# TYPE (\S+) (\S+)$/gm)) types.set(m[1]!, m[2]!);
  const declared = (name: string) => {
    if (types.has(name)) return true;
    const base = name.replace(/_(bucket|sum|count)$/, '');
    return base !== name && ['histogram', 'summary'].includes(types.get(base) ?? '');
  };
  return wanted.filter((name) => name !== 'up' && !declared(name));
}
