/**
 * Hot reload against real files: the watcher sees edits on disk, a valid edit is answered by the
 * next lookup, an invalid one is reported and every earlier answer stays in place. Both compile
 * paths run: on the main thread (small sets) and in the worker thread (large sets).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { errorLines } from '../../src/dialplan/errors.js';
import { Reloader, type ReloadOutcome } from '../../src/dialplan/reloader.js';
import { watchDialplans } from '../../src/dialplan/watch.js';
import type { RouteTable } from '../../src/routing/route-table.js';
import { copyDialplans } from '../helpers/temp-dialplans.js';

const NUMBERS = [
  '+493025550101',
  '+493025550102',
  '+493025550103',
  '+493025550104',
  '+498001234567',
  '+43316908070',
];
const answers = (table: RouteTable) => NUMBERS.map((n) => JSON.stringify(table.lookup(n)));

function setup(t: Test, workerThresholdBytes: number) {
  const dir = copyDialplans(t);
  const outcomes: ReloadOutcome[] = [];
  const waiters: ((o: ReloadOutcome) => void)[] = [];
  const reloader = new Reloader({
    dir,
    defaultCountry: 'DE',
    workerThresholdBytes,
    now: () => new Date('2026-11-22T10:00:00Z'),
    onOutcome: (o) => {
      outcomes.push(o);
      waiters.shift()?.(o);
    },
  });
  const next = () => new Promise<ReloadOutcome>((resolve) => waiters.push(resolve));
  const watcher = watchDialplans(dir, 50, () => void reloader.reload());
  t.teardown(() => watcher.close());
  const file = join(dir, 'autohaus-mueller.yaml');
  const edit = (from: string | RegExp, to: string) =>
    writeFileSync(file, readFileSync(file, 'utf8').replace(from, to));
  return { dir, reloader, next, edit, file, outcomes };
}

for (const [mode, threshold] of [
  ['inline', 1 << 30],
  ['worker', 0],
] as const) {
  t.test(`edits on disk (${mode})`, async (t) => {
    const { reloader, next, edit, file } = setup(t, threshold);
    const first = await reloader.reload();
    t.match(first, { ok: true, changed: true, numbers: 6, mode });
    t.ok(reloader.loaded);
    const taken = reloader.table.lookup('+493025550101');
    t.match(taken, { kind: 'forward', source: 'mobile.de' });

    const valid = next();
    edit('source: mobile.de', 'source: mobile.de (2027)');
    t.match(await valid, { ok: true, changed: true, mode });
    t.match(
      reloader.table.lookup('+493025550101'),
      { source: 'mobile.de (2027)' },
      'the next lookup sees the edit',
    );
    t.match(
      taken,
      { source: 'mobile.de' },
      'a decision already taken is never changed by a reload',
    );

    const before = answers(reloader.table);
    const versionBefore = reloader.table.info.version;
    const invalid = next();
    edit('"+493089001234"          # showroom', '"+4930"          # showroom');
    const rejected = await invalid;
    t.equal(rejected.ok, false);
    if (!rejected.ok)
      t.match(rejected.errors, [
        {
          file: 'autohaus-mueller.yaml',
          line: 10,
          col: 13,
          message: /destination '\+4930' is not an E.164 number/,
        },
      ]);
    t.same(answers(reloader.table), before, 'every earlier answer is still in place');
    t.equal(reloader.table.info.version, versionBefore);

    const broken = next();
    writeFileSync(file, `${readFileSync(file, 'utf8')}\n  - number: [unclosed\n`);
    t.match(await broken, { ok: false, errors: [{ message: /^YAML: / }] });
    t.same(answers(reloader.table), before, 'a YAML syntax error changes nothing either');

    const fixed = next();
    edit(/\n {2}- number: \[unclosed\n$/, '\n');
    edit('"+4930"          # showroom', '"+493089001234"          # showroom');
    t.match(await fixed, { ok: true });
    t.ok(readFileSync(file, 'utf8').includes('showroom'));
    const deactivate = next();
    edit(
      /number: "\+493025550101"\n(\s+)customer: autohaus-mueller\n(\s+)source: mobile.de \(2027\)\n(\s+)status: active/,
      'number: "+493025550101"\n$1customer: autohaus-mueller\n$2source: mobile.de (2027)\n$3status: deactivated\n$3deactivatedAt: 2026-11-22',
    );
    await deactivate;
    t.match(
      reloader.table.lookup('+493025550101'),
      { kind: 'reject', reason: 'deactivated', sipStatus: 410 },
      'deactivation takes the route away at once',
    );
  });
}

t.test('reloads never overlap; requests during one coalesce into one more', async (t) => {
  const { reloader, outcomes } = setup(t, 1 << 30);
  const all = await Promise.all([
    reloader.reload(),
    reloader.reload(),
    reloader.reload(),
    reloader.reload(),
  ]);
  t.equal(outcomes.length, 2, 'one running and one queued for the rest');
  t.equal(all[1], all[2], 'the queued requests share one outcome');
  t.match(all, [
    { ok: true, changed: true },
    { ok: true, changed: false },
    { ok: true, changed: false },
    { ok: true, changed: false },
  ]);
});

t.test('a missing directory is a failed reload, not a crash', async (t) => {
  const reloader = new Reloader({
    dir: '/nonexistent/calltrack',
    defaultCountry: 'DE',
    workerThresholdBytes: 0,
    now: () => new Date(),
  });
  const outcome = await reloader.reload();
  t.match(outcome, { ok: false, errors: [{ message: /cannot read dialplans|ENOENT/ }] });
  const lines = errorLines('/nonexistent/calltrack', outcome.ok ? [] : outcome.errors);
  t.equal(lines.length, 1);
  t.match(
    lines[0],
    /^\/nonexistent\/calltrack:1:1: cannot read dialplans: /,
    'the log line names the folder once, not folder/folder',
  );
  t.notOk(reloader.loaded);
  t.match(
    reloader.table.lookup('+493025550101'),
    { reason: 'unknown' },
    'an empty table answers unknown',
  );
});
