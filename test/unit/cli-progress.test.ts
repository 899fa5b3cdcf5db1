/**
 * The progress line of long CLI commands: its text (pure, from counts and elapsed time) and the
 * reporter that draws it, with a fake clock and fake streams: in place and throttled on a
 * terminal, nothing elsewhere unless forced, plain lines when forced, cleared on failure.
 */
import t from 'tap';
import { CliError, type CliIO } from '../../src/cli/io.js';
import {
  type ProgressMode,
  progressReporter,
  withProgress,
  withProgressFlags,
} from '../../src/cli/progress.js';
import { duration, formatProgress } from '../../src/cli/progress-format.js';

const CLEAR = '\r\x1b[2K';

t.test('the text: counts, percent, rate and ETA from what is known', async (t) => {
  const files = { phase: 'checking', done: 250, total: 1000, unit: 'files' };
  t.equal(formatProgress(files, 5000), 'checking: 250/1,000 files · 25% · 50 files/s · ETA 0:15');
  t.equal(
    formatProgress({ phase: 'exporting', done: 1234, unit: 'entries' }, 2000),
    'exporting: 1,234 entries · 617 entries/s',
    'no total, no share: neither percent nor ETA',
  );
  t.equal(
    formatProgress({ ...files, total: undefined, fraction: 0.5, detail: '3/6 files' }, 1000),
    'checking: 250 files · 3/6 files · 50% · 250 files/s · ETA 1.0s',
    'a share measured otherwise (size, time) gives the percent and the ETA',
  );
  t.equal(
    formatProgress({ ...files, done: 1200 }, 1000),
    'checking: 1,200/1,000 files · 100% · 1,200 files/s',
    'past its estimate: 100%, never more, and no ETA',
  );
  t.equal(formatProgress(files, 0), 'checking: 250/1,000 files · 25%', 'no time yet: no rate');
  t.equal(
    formatProgress({ ...files, done: 0, fraction: 0.004 }, 3000),
    'checking: 0/1,000 files · 0%',
    'under 1%: no ETA (one small file says little of the rest), and no rate of nothing',
  );
  t.equal(
    formatProgress({ ...files, rate: false }, 5000),
    'checking: 250/1,000 files · 25% · ETA 0:15',
    'a count carried over from an earlier phase: no rate',
  );
  t.equal(
    formatProgress({ ...files, done: 999 }, 10_000),
    'checking: 999/1,000 files · 99% · 100 files/s · ETA 0.0s',
    'rounded down: 100% only when done',
  );
  t.equal(
    formatProgress({ phase: 'validating', done: 50_000, unit: 'numbers' }, 2500, true),
    'validating done: 50,000 numbers · 100% · 20,000 numbers/s · in 2.5s',
    'the final line: done, 100% and how long',
  );
});

t.test('durations', async (t) => {
  t.equal(duration(0), '0.0s');
  t.equal(duration(9_440), '9.4s');
  t.equal(duration(65_000), '1:05');
  t.equal(duration(3_723_000), '1:02:03');
  t.equal(duration(-5), '0.0s');
});

/** A stream that records what is written, and a clock the test moves. */
function bench(isTTY: boolean, mode?: ProgressMode, columns?: number) {
  const written: string[] = [];
  let now = 1_000;
  const reporter = progressReporter({
    stream: { isTTY, ...(columns && { columns }), write: (s) => written.push(s) },
    clock: () => now,
    ...(mode && { mode }),
  });
  return { written, reporter, at: (ms: number) => (now = 1_000 + ms) };
}

const at = (done: number, phase = 'checking') => ({ phase, done, total: 100, unit: 'files' });

t.test('on a terminal: in place, throttled, a final line', async (t) => {
  const { written, reporter, at: tick } = bench(true);
  reporter.update(at(1));
  tick(150);
  reporter.update(at(2));
  t.same(written, [], 'quiet for the first 200 ms');
  tick(200);
  reporter.update(at(3));
  tick(300);
  reporter.update(at(4));
  tick(399);
  reporter.update(at(5));
  t.same(written, [`${CLEAR}checking: 3/100 files · 3% · 15 files/s · ETA 6.5s`], 'one per 200 ms');
  tick(400);
  reporter.update(at(6));
  tick(410);
  reporter.update(at(6, 'rules over the whole set'));
  t.equal(written.length, 3, 'a new phase is drawn at once');
  t.equal(
    written[2],
    `${CLEAR}rules over the whole set: 6/100 files · 6%`,
    'its clock starts at 0',
  );
  tick(610);
  reporter.update(at(8, 'rules over the whole set'));
  t.equal(
    written[3],
    `${CLEAR}rules over the whole set: 8/100 files · 8% · 40 files/s · ETA 2.3s`,
    'rate and ETA of the phase: 200 ms in it',
  );
  tick(2000);
  reporter.done(at(100));
  t.equal(written.at(-1), `${CLEAR}checking done: 100/100 files · 100% · 50 files/s · in 2.0s\n`);
  reporter.update(at(100));
  reporter.fail();
  t.equal(written.length, 5, 'nothing after the final line');
});

t.test('a quick command on a terminal shows nothing at all', async (t) => {
  const { written, reporter, at: tick } = bench(true);
  reporter.update(at(50));
  tick(120);
  reporter.done(at(100));
  t.same(written, []);
});

t.test('not a terminal: nothing, unless forced; forced: plain lines, once a second', async (t) => {
  const quiet = bench(false);
  quiet.at(5000);
  quiet.reporter.update(at(50));
  quiet.reporter.done(at(100));
  t.same(quiet.written, [], 'a pipe or a CI log gets nothing');

  const log = bench(false, 'on');
  log.at(500);
  log.reporter.update(at(10));
  log.at(1000);
  log.reporter.update(at(20));
  log.at(1500);
  log.reporter.update(at(30));
  log.at(2000);
  log.reporter.done(at(100));
  t.same(log.written, [
    'checking: 20/100 files · 20% · 20 files/s · ETA 4.0s\n',
    'checking done: 100/100 files · 100% · 50 files/s · in 2.0s\n',
  ]);

  const quick = bench(false, 'on');
  quick.reporter.done(at(100));
  t.same(
    quick.written,
    ['checking done: 100/100 files · 100% · in 0.0s\n'],
    'forced: always the final line',
  );
});

t.test('turned off: nothing, even on a terminal', async (t) => {
  const { written, reporter, at: tick } = bench(true, 'off');
  tick(5000);
  reporter.update(at(50));
  reporter.done(at(100));
  t.same(written, []);
});

t.test('a failure clears the line; a narrow terminal gets a cut line', async (t) => {
  const { written, reporter, at: tick } = bench(true, undefined, 20);
  tick(300);
  reporter.update(at(30));
  reporter.fail();
  t.same(written, [`${CLEAR}checking: 30/100 fi`, CLEAR]);
  const early = bench(true);
  early.reporter.fail();
  t.same(early.written, [], 'nothing drawn, nothing to clear');
});

t.test('withProgress clears the line and rethrows', async (t) => {
  const written: string[] = [];
  let now = 0;
  const output = {
    stream: { isTTY: true, write: (s: string) => written.push(s) },
    clock: () => now,
  };
  await t.rejects(
    withProgress(output, async (p) => {
      now = 500;
      p.update(at(1));
      throw new Error('boom');
    }),
    /boom/,
  );
  t.same(written.at(-1), CLEAR);
  t.equal(await withProgress(undefined, async () => 7), 7, 'no output: no progress, same result');
});

t.test('--progress and --no-progress set the mode; both at once is refused', async (t) => {
  const io: CliIO = {
    out: () => undefined,
    err: () => undefined,
    now: () => new Date(),
    env: {},
    progress: { stream: { write: () => true }, clock: () => 0 },
  };
  t.equal(withProgressFlags(io, { progress: true }).progress?.mode, 'on');
  t.equal(withProgressFlags(io, { 'no-progress': true }).progress?.mode, 'off');
  t.equal(withProgressFlags(io, {}), io, 'no flag: as it was (a terminal decides)');
  t.throws(() => withProgressFlags(io, { progress: true, 'no-progress': true }), CliError);
});
