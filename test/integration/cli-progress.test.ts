/**
 * Progress of the long dialplan commands through the CLI, on a generated set of 50 000 numbers:
 * on a terminal (a fake one) and with `--progress` lines go to stderr and end at 100%; without a
 * terminal, or with `--no-progress`, nothing does; stdout is the same in every case.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { writeDialplanSet } from '../../bench/fixtures.js';
import type { ProgressOutput } from '../../src/cli/progress.js';
import { cli } from '../helpers/cli-io.js';
import { copyDialplans } from '../helpers/temp-dialplans.js';
import { tempDir } from '../helpers/temp-dir.js';

const TODAY = '2026-11-22T09:00:00Z';
const CLEAR = '\r\x1b[2K';

/** A stderr that records its writes; the clock moves 100 ms each time it is read. */
function stderr(isTTY: boolean): { output: ProgressOutput; written: string[] } {
  const written: string[] = [];
  let now = 0;
  const stream = { isTTY, write: (s: string) => written.push(s) };
  return { output: { stream, clock: () => (now += 100) }, written };
}

const set = await writeDialplanSet(tempDir('calltrack-progress-'), 50_000, 10, 100);
const VALID = [
  `${set}: valid (11 files, 100 customers, 47500 active and 2500 deactivated numbers, version`,
];

t.test('validate on a terminal: a line redrawn in place, ending at 100%', async (t) => {
  const { output, written } = stderr(true);
  const r = await cli(['validate', set], TODAY, {}, output);
  t.equal(r.code, 0, r.err.join('\n'));
  t.match(r.out, VALID);
  t.same(r.err, [], 'the error stream proper has nothing');
  t.ok(written.length > 3, `several updates (${written.length})`);
  t.ok(
    written.every((w) => w.startsWith(CLEAR)),
    'each one clears the line it redraws',
  );
  t.match(written, [/reading: \d+\/11 files/]);
  const lines = written.map((w) => w.replace(CLEAR, ''));
  const checking = lines.filter((l) =>
    /^validating: [\d,]+ numbers · \d+\/11 files · \d+%/.test(l),
  );
  t.ok(checking.length >= 3, 'the numbers checked, file by file');
  const shares = checking.map((w) => Number(/ (\d+)% /.exec(w)?.[1]));
  t.same(
    shares,
    [...shares].sort((a, b) => a - b),
    'the share only grows',
  );
  t.match(
    lines.at(-1),
    /^validating done: 50,000 numbers · 11 files · 100% · [\d,]+ numbers\/s · in [\d.]+s\n$/,
  );
  t.equal(written.filter((w) => w.endsWith('\n')).length, 1, 'one line stays: the final one');
});

t.test('--progress without a terminal: plain lines for a log, ending at 100%', async (t) => {
  const { output, written } = stderr(false);
  const r = await cli(['validate', set, '--progress'], TODAY, {}, output);
  t.equal(r.code, 0, r.err.join('\n'));
  t.match(r.out, VALID);
  t.ok(written.length >= 2, `lines while it ran, then the final one (${written.length})`);
  t.ok(
    written.every((w) => !w.includes('\r') && w.endsWith('\n')),
    'whole lines, nothing redrawn',
  );
  t.match(written.at(-1), /^validating done: 50,000 numbers · 11 files · 100% · /);
});

t.test('without a terminal, or with --no-progress: nothing on stderr', async (t) => {
  const pipe = stderr(false);
  const quiet = await cli(['validate', set], TODAY, {}, pipe.output);
  t.same(pipe.written, [], 'stderr is not a terminal: nothing');
  const off = stderr(true);
  const offRun = await cli(['validate', set, '--no-progress'], TODAY, {}, off.output);
  t.same(off.written, [], '--no-progress on a terminal: nothing');
  const plain = await cli(['validate', set], TODAY);
  t.same(quiet.out, plain.out, 'stdout as without any progress output');
  t.same(offRun.out, plain.out);
  t.same([quiet.err, offRun.err], [[], []]);
  const both = await cli(['validate', set, '--progress', '--no-progress'], TODAY, {}, off.output);
  t.equal(both.code, 2);
  t.match(both.err, [/--progress and --no-progress contradict each other/]);
});

t.test('an invalid set: the progress line is cleared before the errors', async (t) => {
  const dir = copyDialplans(t);
  writeFileSync(join(dir, 'zz-broken.yaml'), 'version: 1\nnumbers: [\n');
  const { output, written } = stderr(true);
  const r = await cli(['validate', dir], TODAY, {}, output);
  t.equal(r.code, 1);
  t.match(r.out, [/zz-broken\.yaml:3:1: YAML/]);
  t.ok(written.length > 1, 'progress was drawn');
  t.equal(written.at(-1), CLEAR, 'and cleared at the end');
});

t.test('numbers reclaimable: checking, finding, deactivating, each shown', async (t) => {
  const big = stderr(true);
  const r = await cli(['numbers', 'reclaimable', '--dialplans', set], TODAY, {}, big.output);
  t.equal(r.code, 0, r.err.join('\n'));
  t.equal(JSON.parse(r.out.join('\n')).undetermined.length, 47_500, 'stdout: the JSON report');
  t.match(big.written, [/checking dialplans: /]);
  t.ok(big.written.some((w) => w.includes('finding reclaimable numbers: ')));
  t.match(
    big.written.at(-1)?.replace(CLEAR, ''),
    /^reclaimable done: 50,000 numbers · 11 files · 0 reclaimable · 100% · /,
  );

  const dir = copyDialplans(t);
  const lastCalls = join(tempDir('calltrack-progress-'), 'last-calls.json');
  writeFileSync(lastCalls, '{}');
  const log = stderr(false);
  const argv = ['numbers', 'reclaimable', '--deactivate', '--last-calls', lastCalls];
  const d = await cli([...argv, '--dialplans', dir, '--progress'], TODAY, {}, log.output);
  t.equal(d.code, 0, d.err.join('\n'));
  const report = JSON.parse(d.out.join('\n'));
  t.match(report, { deactivated: true });
  t.equal(report.reclaimable.length, 4, 'never called, activated over a year ago');
  t.match(log.written.join(''), /deactivating: \d\/4 numbers/);
  t.match(log.written.join(''), /checking the changed dialplans/);
  t.match(log.written.at(-1), /^reclaimable done: \d+ numbers · 3 files · 4 reclaimable · 100% · /);
});
