/**
 * validate+compile of 1,000,000 numbers through the hot-reload path of the built gateway (worker
 * thread, chunked hand-over, atomic swap), with peak RSS and the longest main-thread event-loop delay while it
 * runs. Baselines from the same run: js-yaml parsing alone of the same files, and the loop's
 * delay while idle for as long.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import jsYaml from 'js-yaml';
import type { Reloader as ReloaderType } from '../src/dialplan/reloader.js';
import { ensureBuilt } from '../test/helpers/built.js';
import { figure } from './report.js';

const NUMBERS = Number(process.env.BENCH_NUMBERS ?? 1_000_000);
const dir = mkdtempSync(join(tmpdir(), 'calltrack-bench-reload-'));

// generated in a child process, so generation does not count towards this process's peak RSS
const gen = spawnSync(
  process.execPath,
  [
    '--import',
    'tsx',
    fileURLToPath(new URL('./generate.ts', import.meta.url)),
    dir,
    String(NUMBERS),
  ],
  { stdio: 'inherit' },
);
if (gen.status !== 0) throw new Error('bench reload: generating dialplans failed');

async function loopDelayDuring(work: () => Promise<void>): Promise<number> {
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  await work();
  h.disable();
  return h.max / 1e6;
}

// the built code, as production runs it: under tsx every module (and the worker) pays for the loader
ensureBuilt();
const built = new URL('../dist/src/dialplan/reloader.js', import.meta.url).href;
const { Reloader } = (await import(built)) as { Reloader: typeof ReloaderType };
const reloader = new Reloader({
  dir,
  defaultCountry: 'DE',
  workerThresholdBytes: 0,
  now: () => new Date(),
});
let seconds = 0;
const reloadDelay = await loopDelayDuring(async () => {
  const t = performance.now();
  const outcome = await reloader.reload();
  seconds = (performance.now() - t) / 1000;
  if (!outcome.ok)
    throw new Error(
      `bench reload: ${outcome.errors
        .slice(0, 3)
        .map((e) => e.message)
        .join('; ')}`,
    );
  if (reloader.table.size !== NUMBERS)
    throw new Error(`bench reload: ${reloader.table.size} numbers loaded`);
});
const peakMb = process.resourceUsage().maxRSS / 1024;
const idleDelay = await loopDelayDuring(
  () => new Promise((r) => setTimeout(r, Math.min(seconds * 1000, 5000))),
);

const parseStart = performance.now();
for (const f of readdirSync(dir))
  jsYaml.load(readFileSync(join(dir, f), 'utf8'), { schema: jsYaml.CORE_SCHEMA });
const parseSeconds = (performance.now() - parseStart) / 1000;
rmSync(dir, { recursive: true, force: true });

figure('reload', 'numbers', NUMBERS, 'numbers');
figure('reload', 'yaml-parse-baseline', parseSeconds, 's');
figure('reload', 'validate+compile', seconds, 's');
figure('reload', 'ratio-to-parse', seconds / parseSeconds, 'x');
figure('reload', 'peak-rss', peakMb, 'MB');
figure('reload', 'max-event-loop-delay', reloadDelay, 'ms');
figure('reload', 'idle-event-loop-delay-baseline', idleDelay, 'ms');
