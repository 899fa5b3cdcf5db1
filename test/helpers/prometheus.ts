/**
 * A real Prometheus (Debian's `prometheus`) for a test: free loopback port, its own TSDB in a temp
 * dir, scraping the given targets as job `calltrack` every second and evaluating `rules` every
 * second. Stopped (and its data removed) with the test.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Test } from 'tap';
import { stringify } from 'yaml';
import { requireBinary } from './binaries.js';
import { freeTcpPort } from './ports.js';
import { tempDir } from './temp-dir.js';
import { waitFor } from './wait.js';

export type Alert = { labels: Record<string, string>; state: 'pending' | 'firing' };

export type PrometheusServer = {
  url: string;
  logs(): string;
  alerts(): Promise<Alert[]>;
  /** An instant query: the result, or the error Prometheus gives (bad PromQL). */
  query(
    expr: string,
  ): Promise<
    | { ok: true; result: { metric: Record<string, string>; value: [number, string] }[] }
    | { ok: false; error: string }
  >;
};

export async function startPrometheus(
  t: Test,
  o: { targets: string[]; rules: string },
): Promise<PrometheusServer> {
  const bin = requireBinary('prometheus', 'prometheus');
  const dir = tempDir('calltrack-prometheus-');
  const config = join(dir, 'prometheus.yml');
  writeFileSync(
    config,
    stringify({
      global: { scrape_interval: '1s', scrape_timeout: '900ms', evaluation_interval: '1s' },
      rule_files: [o.rules],
      scrape_configs: [{ job_name: 'calltrack', static_configs: [{ targets: o.targets }] }],
    }),
  );
  const port = await freeTcpPort();
  const url = `http://127.0.0.1:${port}`;
  let output = '';
  const proc: ChildProcess = spawn(
    bin,
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  proc.stdout?.on('data', (c: Buffer) => (output += c.toString('utf8')));
  proc.stderr?.on('data', (c: Buffer) => (output += c.toString('utf8')));
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  t.teardown(async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGTERM');
      const stopped = await Promise.race([
        exited.then(() => true),
        new Promise<boolean>((r) => setTimeout(() => r(false), 5000)),
      ]);
      if (!stopped) proc.kill('SIGKILL');
    }
    await exited;
  });
  await waitFor(
    async () => {
      if (proc.exitCode !== null)
        throw new Error(`prometheus exited with ${proc.exitCode}:\n${output}`);
      return (await fetch(`${url}/-/ready`).catch(() => undefined))?.ok;
    },
    20_000,
    `prometheus ready on ${url}`,
  );
  return {
    url,
    logs: () => output,
    alerts: async () => {
      const body = (await (await fetch(`${url}/api/v1/alerts`)).json()) as {
        data: { alerts: Alert[] };
      };
      return body.data.alerts;
    },
    query: async (expr) => {
      const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`);
      const body = (await res.json()) as {
        status: string;
        error?: string;
        data?: { result: { metric: Record<string, string>; value: [number, string] }[] };
      };
      return body.status === 'success'
        ? { ok: true, result: body.data?.result ?? [] }
        : { ok: false, error: body.error ?? `HTTP ${res.status}` };
    },
  };
}
