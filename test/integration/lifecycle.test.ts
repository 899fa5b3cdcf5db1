/**
 * Number lifecycle through the CLI on a copy of the shipped dialplans: each operation writes the
 * files atomically with comments kept, and a refused operation writes nothing at all.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { openSet } from '../../src/dialplan/lifecycle/documents.js';
import { deactivateMany } from '../../src/dialplan/lifecycle/operations.js';
import { cli } from '../helpers/cli-io.js';
import { copyDialplans } from '../helpers/temp-dialplans.js';

const TODAY = '2026-11-22T09:00:00Z';
const snapshot = (dir: string) =>
  Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f), 'utf8')]));

async function lookup(dir: string, number: string) {
  const r = await cli(['lookup', number, '--dialplans', dir], TODAY);
  return JSON.parse(r.out.join('\n'));
}

t.test('deactivate: the route is gone at once, the answer is 410', async (t) => {
  const dir = copyDialplans(t);
  const r = await cli(['numbers', 'deactivate', '030 2555 0102', '--dialplans', dir], TODAY);
  t.equal(r.code, 0, r.err.join('\n'));
  t.same(JSON.parse(r.out.join('')), {
    changedNumbers: ['+493025550102'],
    files: ['autohaus-mueller.yaml'],
  });
  t.match(await lookup(dir, '+493025550102'), {
    kind: 'reject',
    reason: 'deactivated',
    sipStatus: 410,
    deactivatedAt: '2026-11-22',
  });
  const text = readFileSync(join(dir, 'autohaus-mueller.yaml'), 'utf8');
  t.match(
    text,
    /# Tracking numbers of Autohaus Müller, one per sales channel\./,
    'comments are kept',
  );
  t.match(text, /# showroom, rings first/);
  t.same(
    readdirSync(dir).filter((f) => f.startsWith('.')),
    [],
    'no temp file left behind',
  );
  const again = await cli(['numbers', 'deactivate', '+493025550102', '--dialplans', dir], TODAY);
  t.equal(again.code, 1);
  t.match(again.err.join('\n'), /already deactivated \(since 2026-11-22\)/);
});

t.test('replace: new number active and old one deactivated in one write', async (t) => {
  const dir = copyDialplans(t);
  const r = await cli(
    [
      'numbers',
      'replace',
      '+493025550102',
      '+493025550105',
      '--source',
      'AutoScout24 (neu)',
      '--dialplans',
      dir,
    ],
    TODAY,
  );
  t.equal(r.code, 0, r.err.join('\n'));
  t.same(JSON.parse(r.out.join('')).files, ['autohaus-mueller.yaml']);
  t.match(await lookup(dir, '+493025550102'), {
    reason: 'deactivated',
    replacedBy: '+493025550105',
  });
  t.match(await lookup(dir, '+493025550105'), {
    kind: 'forward',
    source: 'AutoScout24 (neu)',
    destinations: [{ number: '+493089001234' }],
  });
  t.match(
    readFileSync(join(dir, 'autohaus-mueller.yaml'), 'utf8'),
    /number: "\+493025550105"[\s\S]*replaces: "\+493025550102"/,
  );
});

t.test('refused operations write nothing', async (t) => {
  const dir = copyDialplans(t);
  const before = snapshot(dir);
  const cases: [string[], RegExp][] = [
    [['replace', '+493025550102', '+498925550105'], /would make the dialplans invalid[\s\S]*/],
    [['replace', '+493025550102', '+493025550101'], /already in a dialplan file/],
    [['deactivate', '+493099999999'], /not in any dialplan file/],
    [['deactivate', 'not-a-number'], /is not a phone number/],
    [['end-contract', 'nobody'], /customer 'nobody' is not in any dialplan file/],
  ];
  for (const [args, message] of cases) {
    const r = await cli(['numbers', ...args, '--dialplans', dir], TODAY);
    t.not(r.code, 0, args.join(' '));
    t.match(r.err.join('\n'), message, args.join(' '));
  }
  const invalid = await cli(
    ['numbers', 'replace', '+493025550102', '+498925550105', '--dialplans', dir],
    TODAY,
  );
  t.match(
    invalid.out.join('\n'),
    /autohaus-mueller\.yaml:\d+:\d+: \+498925550105 is in area code 089/,
    'the reason comes with file:line:col',
  );
  t.same(snapshot(dir), before, 'every file is unchanged');
});

t.test('an operation on dialplans that are already invalid is refused', async (t) => {
  const dir = copyDialplans(t);
  writeFileSync(join(dir, 'broken.yaml'), 'version: 1\nnumbers: 3\n');
  const r = await cli(['numbers', 'deactivate', '+493025550101', '--dialplans', dir], TODAY);
  t.equal(r.code, 1);
  t.match(r.err.join('\n'), /invalid already/);
  t.match(r.out.join('\n'), /broken\.yaml:2:10: 'numbers' must be an array/);
});

t.test('deactivating several numbers writes all of them or none', async (t) => {
  const dir = copyDialplans(t);
  const before = snapshot(dir);
  const now = new Date(TODAY);
  await t.rejects(
    deactivateMany(await openSet(dir, now), ['+493025550102', '+493099999999'], now),
    /\+493099999999 is not in any dialplan file/,
  );
  t.same(snapshot(dir), before, 'the known number is not deactivated alone');
  const r = await deactivateMany(await openSet(dir, now), ['+493025550102', '+43316908070'], now);
  t.same(r.changedNumbers, ['+493025550102', '+43316908070']);
  t.same([...r.files].sort(), ['autohaus-mueller.yaml', 'kfz-gruber.yaml']);
  for (const n of r.changedNumbers) t.match(await lookup(dir, n), { reason: 'deactivated' }, n);
});

t.test('end-contract deactivates every number of the customer', async (t) => {
  const dir = copyDialplans(t);
  const r = await cli(['numbers', 'end-contract', 'autohaus-mueller', '--dialplans', dir], TODAY);
  t.equal(r.code, 0, r.err.join('\n'));
  t.same(JSON.parse(r.out.join('')).changedNumbers, [
    '+493025550101',
    '+493025550102',
    '+493025550104',
    '+498001234567',
  ]);
  for (const n of ['+493025550101', '+493025550104', '+498001234567'])
    t.match(await lookup(dir, n), { reason: 'deactivated' });
  t.match(
    await lookup(dir, '+43316908070'),
    { kind: 'forward' },
    'other customers keep their routes',
  );
});

t.test(
  'reclaimable: no call for 12 months, counted from activation when never called',
  async (t) => {
    const dir = copyDialplans(t);
    const lastCalls = join(dir, '..', `last-calls-${process.pid}.json`);
    writeFileSync(
      lastCalls,
      JSON.stringify({
        '+493025550101': '2026-10-01T10:00:00Z',
        '+493025550102': '2025-11-21T10:00:00Z',
      }),
    );
    t.teardown(() => writeFileSync(lastCalls, ''));
    const r = await cli(
      ['numbers', 'reclaimable', '--last-calls', lastCalls, '--dialplans', dir],
      TODAY,
    );
    t.equal(r.code, 0, r.err.join('\n'));
    const report = JSON.parse(r.out.join('\n'));
    t.same(
      report.reclaimable.map((x: { number: string; basis: string }) => [x.number, x.basis]),
      [
        ['+493025550102', 'last-call'],
        ['+493025550104', 'activation'],
        ['+43316908070', 'activation'],
      ],
    );
    t.same(report.undetermined, ['+498001234567'], 'no call and no activation date: not guessed');
    const deactivate = await cli(
      ['numbers', 'reclaimable', '--last-calls', lastCalls, '--deactivate', '--dialplans', dir],
      TODAY,
    );
    t.equal(deactivate.code, 0, deactivate.err.join('\n'));
    t.same(JSON.parse(deactivate.out.join('\n')), { ...report, deactivated: true });
    for (const n of ['+493025550102', '+493025550104', '+43316908070'])
      t.match(await lookup(dir, n), { reason: 'deactivated', deactivatedAt: '2026-11-22' }, n);
    t.match(await lookup(dir, '+498001234567'), { kind: 'forward' }, 'undetermined: kept');
    t.match(
      await lookup(dir, '+493025550101'),
      { kind: 'forward' },
      'a recently called number stays',
    );
    const bad = await cli(
      ['numbers', 'reclaimable', '--last-calls', join(dir, 'customers.yaml'), '--dialplans', dir],
      TODAY,
    );
    t.equal(bad.code, 2);
    t.match(bad.err.join('\n'), /--last-calls .*customers\.yaml/);
  },
);
