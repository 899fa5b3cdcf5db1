/**
 * The recording sweeper and `calltrack recordings purge`: a recording goes once it is older than
 * its own number's retention days (from its sidecar), the others stay; a recording without a
 * readable sidecar is kept and reported.
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { createLogger } from '../../src/observability/logger.js';
import { audioFile } from '../../src/recordings/audio-files.js';
import { writeSidecar } from '../../src/recordings/store.js';
import { startRecordingSweeper, sweepRecordings } from '../../src/recordings/sweeper.js';
import { cli } from '../helpers/cli-io.js';
import { tempDir } from '../helpers/temp-dir.js';

const TODAY = Date.parse('2026-11-22T00:00:00Z');
const daysAgo = (d: number) => new Date(TODAY - d * 86_400_000).toISOString();

/** old-30: 40 days old, kept 30 days; new-30: 10 days old; old-90: 40 days old, kept 90 days. */
async function recordings(): Promise<string> {
  const dir = tempDir('calltrack-rec-');
  const add = async (recordId: string, ageDays: number, retentionDays: number) => {
    writeFileSync(join(dir, audioFile(recordId)), 'RIFF');
    await writeSidecar(dir, {
      recordId,
      trackingNumber: '+493025550101',
      retentionDays,
      startedAt: daysAgo(ageDays),
    });
  };
  await add('old-30', 40, 30);
  await add('new-30', 10, 30);
  await add('old-90', 40, 90);
  return dir;
}

t.test('a sweep deletes what is past its retention, keeps the rest', async (t) => {
  const dir = await recordings();
  const r = await sweepRecordings(dir, TODAY, createLogger('silent'));
  t.same(r.deleted, ['old-30.wav']);
  t.equal(r.kept, 2);
  t.same(readdirSync(dir).sort(), ['new-30.json', 'new-30.wav', 'old-90.json', 'old-90.wav']);
});

t.test('the same recording goes once the day comes', async (t) => {
  const dir = await recordings();
  const r = await sweepRecordings(dir, TODAY + 25 * 86_400_000, createLogger('silent'));
  t.same(
    r.deleted.sort(),
    ['new-30.wav', 'old-30.wav'],
    'new-30 at 35 days, old-90 (65 days) not yet',
  );
  t.ok(existsSync(join(dir, 'old-90.wav')));
});

t.test('a recording without a readable sidecar is kept and reported', async (t) => {
  const dir = await recordings();
  writeFileSync(join(dir, 'broken.wav'), 'RIFF');
  writeFileSync(join(dir, 'broken.json'), '{not json');
  writeFileSync(join(dir, 'orphan.wav'), 'RIFF');
  const r = await sweepRecordings(dir, TODAY + 1000 * 86_400_000, createLogger('silent'));
  t.equal(r.problems.length, 1);
  t.match(r.problems[0], /^broken\.json/);
  t.ok(existsSync(join(dir, 'broken.wav')) && existsSync(join(dir, 'orphan.wav')));
});

t.test('a missing directory is nothing to sweep', async (t) => {
  const r = await sweepRecordings('/nonexistent/calltrack-rec', TODAY, createLogger('silent'));
  t.same(r, { deleted: [], kept: 0, problems: [] });
});

t.test('the gateway sweeper sweeps at start and counts what it deleted', async (t) => {
  const dir = await recordings();
  const counted: number[] = [];
  const sweeper = startRecordingSweeper({
    dir,
    intervalMs: 60_000,
    logger: createLogger('silent'),
    now: () => TODAY,
    onDeleted: (n) => void counted.push(n),
  });
  t.teardown(() => sweeper.stop());
  for (let i = 0; i < 100 && counted.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
  t.same(counted, [1]);
  t.notOk(existsSync(join(dir, 'old-30.wav')));
  t.ok(existsSync(join(dir, 'new-30.wav')));
});

t.test('the sweeper tells a completed sweep from a failed one (the purge alert)', async (t) => {
  const dir = await recordings();
  const swept: number[] = [];
  let failed = 0;
  const ok = startRecordingSweeper({
    dir,
    intervalMs: 60_000,
    logger: createLogger('silent'),
    now: () => TODAY,
    onDeleted: () => undefined,
    onSwept: (at) => void swept.push(at),
    onFailed: () => void failed++,
  });
  t.teardown(() => ok.stop());
  // a file where the directory should be: readdir fails with ENOTDIR, not a missing directory
  const notADir = join(tempDir('calltrack-rec-'), 'file');
  writeFileSync(notADir, 'x');
  const broken = startRecordingSweeper({
    dir: notADir,
    intervalMs: 60_000,
    logger: createLogger('silent'),
    now: () => TODAY,
    onDeleted: () => undefined,
    onSwept: () => t.fail('a failed sweep counted as done'),
    onFailed: () => void failed++,
  });
  t.teardown(() => broken.stop());
  for (let i = 0; i < 100 && (swept.length === 0 || failed === 0); i++)
    await new Promise((r) => setTimeout(r, 10));
  t.same(swept, [TODAY], 'the good sweep reports when it ran');
  t.equal(failed, 1, 'the broken one is counted as failed');
});

t.test('calltrack recordings purge --dir --today', async (t) => {
  const dir = await recordings();
  const r = await cli(['recordings', 'purge', '--dir', dir, '--today', '2026-11-22']);
  t.equal(r.code, 0, r.err.join('\n'));
  t.same(r.out, ['deleted old-30.wav', `1 deleted, 2 kept (${dir})`]);
  t.same(readdirSync(dir).sort(), ['new-30.json', 'new-30.wav', 'old-90.json', 'old-90.wav']);
});

t.test('calltrack recordings purge: RECORDING_DIR and the clock by default', async (t) => {
  const dir = await recordings();
  const r = await cli(['recordings', 'purge'], '2026-12-20T12:00:00Z', { RECORDING_DIR: dir });
  t.equal(r.code, 0, r.err.join('\n'));
  t.same(r.out, ['deleted new-30.wav', 'deleted old-30.wav', `2 deleted, 1 kept (${dir})`]);
});

t.test('calltrack recordings: usage and a bad date', async (t) => {
  t.equal((await cli(['recordings'])).code, 2);
  const bad = await cli(['recordings', 'purge', '--dir', '/tmp', '--today', '2026-13-01']);
  t.equal(bad.code, 2);
  t.match(bad.err.join('\n'), /--today '2026-13-01' is not a date/);
});
