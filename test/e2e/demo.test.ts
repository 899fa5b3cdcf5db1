/**
 * `npm run demo` as a newcomer runs it: with redis-server installed (kept running with --keep so
 * the records can be read from its stream, then Ctrl-C), and with a PATH that has no
 * redis-server (the file sink). Each time: one row per sample number with the outcome and status
 * the dialplan promises at the demo's clock, record ids that are really in the store, and no
 * process of the demo left over.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import t, { type Test } from 'tap';
import { fromFields } from '../../src/records/entry.js';
import { DEMO_AT, type SampleNumber, sampleNumbers } from '../demo/numbers.js';
import { requireBinary } from '../helpers/binaries.js';
import { ensureBuilt, ROOT } from '../helpers/built.js';

type Run = { proc: ChildProcess; out(): string; exited: Promise<number | null> };

/** `dir`: the demo's TMPDIR (t.testdir() once per test: a second call empties it). */
function runDemo(t: Test, dir: string, env: Record<string, string>, args: string[] = []): Run {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'test/demo/cli.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, TMPDIR: dir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout?.on('data', (c: Buffer) => (out += c.toString('utf8')));
  proc.stderr?.on('data', (c: Buffer) => (out += c.toString('utf8')));
  const exited = new Promise<number | null>((resolve) =>
    proc.once('exit', (code) => resolve(code)),
  );
  const timer = setTimeout(() => proc.kill('SIGKILL'), 100_000);
  t.teardown(() => {
    clearTimeout(timer);
    proc.kill('SIGKILL');
  });
  return { proc, out: () => out, exited };
}

async function printed(run: Run, text: string): Promise<void> {
  for (let i = 0; i < 1800 && !run.out().includes(text); i++) {
    if (run.proc.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  if (!run.out().includes(text)) throw new Error(`the demo never printed '${text}':\n${run.out()}`);
}

type TableRow = { number: string; source: string; outcome: string; sip: string; recordId: string };

function tableRows(out: string): TableRow[] {
  return out
    .split('\n')
    .filter((l) => /^\+\d+\s/.test(l))
    .map((l) => {
      const [number = '', source = '', outcome = '', sip = '', recordId = ''] = l.split(/\s{2,}/);
      return { number, source, outcome, sip, recordId };
    });
}

/** What the dialplan promises a call at the demo's clock (no media server in the demo). */
function expected(n: SampleNumber): { outcome: string; sip: string } {
  if (n.expected.kind === 'refused')
    return { outcome: 'rejected', sip: String(n.expected.sipStatus) };
  return n.expected.kind === 'closed'
    ? { outcome: 'closed', sip: '480' }
    : { outcome: 'answered', sip: '200' };
}

async function checkTable(t: Test, out: string): Promise<TableRow[]> {
  const numbers = await sampleNumbers(join(ROOT, 'dialplans'), Date.parse(DEMO_AT));
  const kinds = new Set(numbers.map((n) => n.expected.kind));
  t.same([...kinds].sort(), ['closed', 'open', 'refused'], 'the sample numbers show every kind');
  const rows = tableRows(out);
  t.same(
    rows.map((r) => r.number),
    numbers.map((n) => n.number),
    'one row per sample number, in dialplan order',
  );
  for (const n of numbers) {
    const row = rows.find((r) => r.number === n.number);
    t.match(row, { source: n.source, ...expected(n) }, `${n.number} (${n.expected.kind})`);
    t.match(row?.recordId, /^[0-9a-f-]{36}$/, `${n.number} has a record id`);
  }
  t.equal(new Set(rows.map((r) => r.recordId)).size, rows.length, 'record ids are distinct');
  t.match(out, /calltrack_calls_total by outcome: +answered \d/, 'the metrics are printed');
  return rows;
}

/** Every process the demo says it started is gone (a zombie awaiting its reaper counts as gone). */
async function checkGone(t: Test, out: string): Promise<void> {
  const line = out.split('\n').find((l) => l.startsWith('processes: ')) ?? '';
  const pids = [...line.matchAll(/pid (\d+)/g)].map((m) => Number(m[1]));
  t.ok(pids.length >= 2, `pids listed: ${line}`);
  const alive = (pid: number) => {
    try {
      return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    } catch {
      return false;
    }
  };
  for (let i = 0; i < 100 && pids.some(alive); i++) await new Promise((r) => setTimeout(r, 50));
  t.same(pids.filter(alive), [], 'no process of the demo is left');
}

t.before(() => {
  ensureBuilt();
  requireBinary('sipp', 'sip-tester');
  requireBinary('redis-server', 'redis-server');
});

t.test('with redis-server: records in its stream, --keep until Ctrl-C', async (t) => {
  const run = runDemo(t, t.testdir(), {}, ['--keep']);
  await printed(run, 'running until Ctrl-C');
  const rows = await checkTable(t, run.out());
  const port = /redis-cli -p (\d+) XRANGE (\S+)/.exec(run.out());
  t.ok(port, 'the Redis hint is printed');
  const redis = new Redis(`redis://127.0.0.1:${port?.[1]}`);
  const entries = await redis.xrange(port?.[2] ?? '', '-', '+');
  redis.disconnect();
  const byId = new Map(entries.map(([, f]) => fromFields(f)).map((r) => [r.id, r.trackingNumber]));
  for (const r of rows) t.equal(byId.get(r.recordId), r.number, `${r.recordId} is in the stream`);
  run.proc.kill('SIGINT');
  t.equal(await run.exited, 130, 'Ctrl-C stops it');
  await checkGone(t, run.out());
});

t.test('without redis-server: the file sink', async (t) => {
  // a PATH with sipp and node only: the demo's own "not installed" branch
  const dir = t.testdir();
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  for (const name of ['sipp', 'node']) symlinkSync(requireBinary(name, name), join(bin, name));
  const run = runDemo(t, dir, { PATH: bin });
  t.equal(await run.exited, 0, run.out());
  const rows = await checkTable(t, run.out());
  const file = /file (\S+records\.jsonl)/.exec(run.out())?.[1] ?? '';
  t.ok(existsSync(file), `the records file is kept: ${file}`);
  const records = readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { recordId: string; trackingNumber: string });
  for (const r of rows)
    t.equal(
      records.find((x) => x.recordId === r.recordId)?.trackingNumber,
      r.number,
      `${r.recordId} is in the file`,
    );
  await checkGone(t, run.out());
});

t.test('without sipp: the gateway is up, the calls name the package, exit 3', async (t) => {
  const dir = t.testdir();
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  symlinkSync(process.execPath, join(bin, 'node'));
  const run = runDemo(t, dir, { PATH: bin });
  t.equal(await run.exited, 3, run.out());
  t.match(run.out(), /readyz: 200 \{"status":"ready"/, 'the gateway was up and ready');
  t.match(run.out(), /apt-get install -y sip-tester/, 'the package is named');
  t.same(tableRows(run.out()), [], 'no table without calls');
  await checkGone(t, run.out());
});
