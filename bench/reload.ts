/**
 * validate+compile of 1,000,000 numbers through the hot-reload path of the built gateway (worker
 * thread, chunked hand-over, atomic swap), with peak RSS and the longest main-thread event-loop delay while it
 * runs. Then what an admin's write costs once the set is loaded: a reload after one entry of one
 * file changed (the worker reads that file only), and the same change validated on the main
 * thread as a write's check does (`checkDialplans` with a cache). Baselines from the same run:
 * js-yaml parsing alone of the same files, and the loop's delay while idle for as long.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import jsYaml from 'js-yaml';
import type * as Load from '../src/dialplan/load.js';
import type { Reloader as ReloaderType } from '../src/dialplan/reloader.js';
import type * as Cache from '../src/dialplan/set-cache.js';
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
const built = (file: string) => new URL(`../dist/src/dialplan/${file}`, import.meta.url).href;
const { Reloader } = (await import(built('reloader.js'))) as { Reloader: typeof ReloaderType };
const reloader = new Reloader({
  dir,
  defaultCountry: 'DE',
  workerThresholdBytes: 0,
  now: () => new Date(),
});
/** Seconds of one reload, which must succeed with every number. */
async function timedReload(): Promise<number> {
  const t = performance.now();
  const outcome = await reloader.reload();
  const seconds = (performance.now() - t) / 1000;
  if (!outcome.ok)
    throw new Error(
      `bench reload: ${outcome.errors
        .slice(0, 3)
        .map((e) => e.message)
        .join('; ')}`,
    );
  if (reloader.table.size !== NUMBERS)
    throw new Error(`bench reload: ${reloader.table.size} numbers loaded`);
  return seconds;
}

let seconds = 0;
const reloadDelay = await loopDelayDuring(async () => {
  seconds = await timedReload();
});
const peakMb = process.resourceUsage().maxRSS / 1024;

// an admin's write: one entry of one file changes (its source), nothing else
const changed = readdirSync(dir).sort().at(-1)!;
const changedText = readFileSync(join(dir, changed), 'utf8').replace(
  /source: channel-[0-9]/,
  'source: admin-edit',
);
const changedNumber = /number: "(\+[0-9]+)"/.exec(changedText)![1]!;
writeFileSync(join(dir, changed), changedText);
let oneFileSeconds = 0;
const oneFileDelay = await loopDelayDuring(async () => {
  oneFileSeconds = await timedReload();
});
const seen = reloader.table.lookup(changedNumber);
if (!('source' in seen) || seen.source !== 'admin-edit')
  throw new Error('bench reload: the one-file change was not loaded');
const unchangedSeconds = await timedReload();
const peakAfterChangeMb = process.resourceUsage().maxRSS / 1024;
const idleDelay = await loopDelayDuring(
  () => new Promise((r) => setTimeout(r, Math.min(seconds * 1000, 5000))),
);

const parseStart = performance.now();
for (const f of readdirSync(dir))
  jsYaml.load(readFileSync(join(dir, f), 'utf8'), { schema: jsYaml.CORE_SCHEMA });
const parseSeconds = (performance.now() - parseStart) / 1000;

// a write's validation on the main thread, as the admin store does it: the first check fills the
// cache, the next (one entry of one file changed back) reads that file only
const { checkDialplans } = (await import(built('load.js'))) as typeof Load;
const { SetCache } = (await import(built('set-cache.js'))) as typeof Cache;
const cache = new SetCache({ keepDecisions: false });
const sources = readdirSync(dir)
  .sort()
  .map((file) => ({ file, text: readFileSync(join(dir, file), 'utf8') }));
const check = () => {
  const t = performance.now();
  const r = checkDialplans(sources, { now: new Date(), cache });
  if (!r.ok) throw new Error(`bench reload: check failed: ${r.errors[0]?.message}`);
  return (performance.now() - t) / 1000;
};
const coldCheckSeconds = check();
const last = sources.at(-1)!;
last.text = last.text.replace('source: admin-edit', 'source: admin-edit-2');
const oneFileCheckSeconds = check();
rmSync(dir, { recursive: true, force: true });

figure('reload', 'numbers', NUMBERS, 'numbers');
figure('reload', 'yaml-parse-baseline', parseSeconds, 's');
figure('reload', 'validate+compile', seconds, 's');
figure('reload', 'ratio-to-parse', seconds / parseSeconds, 'x');
figure('reload', 'peak-rss', peakMb, 'MB');
figure('reload', 'max-event-loop-delay', reloadDelay, 'ms');
figure('reload', 'idle-event-loop-delay-baseline', idleDelay, 'ms');
figure('reload', 'one-file-change', oneFileSeconds, 's');
figure('reload', 'one-file-change-ratio-to-full', oneFileSeconds / seconds, 'x');
figure('reload', 'one-file-change-max-event-loop-delay', oneFileDelay, 'ms');
figure('reload', 'unchanged', unchangedSeconds, 's');
figure('reload', 'peak-rss-after-change', peakAfterChangeMb, 'MB');
figure('reload', 'check-inline-cold', coldCheckSeconds, 's');
figure('reload', 'check-inline-one-file-change', oneFileCheckSeconds, 's');
