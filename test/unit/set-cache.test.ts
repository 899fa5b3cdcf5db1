/**
 * Incremental builds: a set built with a SetCache (unchanged files replayed, not read again) is
 * the set a fresh build makes of the same texts on the same day: decisions in the same slots,
 * the same errors at the same file:line:col, the same version and summary.
 */
import t, { type Test } from 'tap';
import {
  checkDialplans,
  type LoadResult,
  loadDialplans,
  type SourceText,
} from '../../src/dialplan/load.js';
import { SetBuilder } from '../../src/dialplan/set-builder.js';
import { SetCache } from '../../src/dialplan/set-cache.js';
import {
  ACTIVE,
  CUSTOMERS,
  customersWith,
  numberEntry,
  numbersFile,
} from '../helpers/dialplan-texts.js';

const NOW = new Date('2026-11-22T12:00:00Z');

/** Everything a caller can see of a result, in a form deep equality compares. */
function seen(r: LoadResult) {
  if (!r.ok) return { ok: false, errors: r.errors };
  const { decisions, summary, index } = r.set;
  return { ok: true, decisions, summary, index: index.buffers };
}

/** Builds with the cache, and checks the result against a fresh build of the same texts. */
function same(
  t: Test,
  cache: SetCache,
  sources: SourceText[],
  now = NOW,
  what = 'as a fresh build',
): LoadResult {
  const cached = loadDialplans(sources, { now, cache });
  t.strictSame(seen(cached), seen(loadDialplans(sources, { now })), what);
  return cached;
}

const berlin = (n: number, extra: string[] = []) =>
  numberEntry(`+4930255501${String(n).padStart(2, '0')}`, [...ACTIVE, ...extra]);
const graz = (n: number) =>
  numberEntry(`+43316908${String(n).padStart(3, '0')}`, ACTIVE, 'autohaus-graz');

const VALID = [
  CUSTOMERS,
  numbersFile('a.yaml', [berlin(1), berlin(2)]),
  numbersFile('b.yaml', [berlin(3), graz(1)]),
];

t.test(
  'a valid set: unchanged files keep their decisions (the same objects), a changed one is read',
  async (t) => {
    const cache = new SetCache();
    const first = same(t, cache, VALID);
    t.ok(first.ok);
    const changed = [
      VALID[0]!,
      VALID[1]!,
      numbersFile('b.yaml', [berlin(3, ['options: { displayPrefix: "[x]" }']), graz(1)]),
    ];
    const second = same(t, cache, changed);
    if (!first.ok || !second.ok) return t.fail('both valid');
    t.equal(
      second.set.decisions[0],
      first.set.decisions[0],
      'a.yaml replayed: the very decision objects',
    );
    t.equal(second.set.decisions[1], first.set.decisions[1]);
    t.not(second.set.decisions[2], first.set.decisions[2], 'b.yaml read again');
    t.not(second.set.summary.version, first.set.summary.version);
    const again = same(t, cache, changed);
    t.equal(again.ok && again.set.summary.version, second.set.summary.version);
  },
);

t.test('the cache says which files it replayed; nothing else is parsed', async (t) => {
  const cache = new SetCache();
  const add = (sources: SourceText[]) => {
    const builder = new SetBuilder(NOW);
    return sources.map((s) => cache.add(builder, s.file, s.text).hit);
  };
  t.strictSame(add(VALID), [false, false, false]);
  t.strictSame(add(VALID), [true, true, true]);
  const renamed = { file: 'c.yaml', text: VALID[2]!.text };
  t.strictSame(
    add([VALID[0]!, VALID[1]!, renamed]),
    [true, true, false],
    'same text, other file: read',
  );
});

t.test('errors in cached and in read files keep their file:line:col', async (t) => {
  const cache = new SetCache();
  const broken = [
    CUSTOMERS,
    // a number outside DE/AT and a schema error: found when a.yaml is read, replayed after
    numbersFile('a.yaml', [
      berlin(1),
      numberEntry('+12125550100', ACTIVE),
      numberEntry('+493025550109', ['status: sleeping']),
    ]),
    // a number in two files: a set rule, found again on every build
    numbersFile('b.yaml', [berlin(1), graz(1)]),
    { file: 'c.yaml', text: 'version: 1\nnumbers:\n  - number: "+493025550120\n    customer: [\n' },
  ];
  const first = same(t, cache, broken);
  t.notOk(first.ok);
  t.ok(!first.ok && first.errors.some((e) => e.file === 'a.yaml' && e.line > 1), 'positions found');
  const second = same(
    t,
    cache,
    [broken[0]!, broken[1]!, numbersFile('b.yaml', [berlin(1), graz(2)]), broken[3]!],
    NOW,
    'b.yaml changed, a.yaml and c.yaml replayed',
  );
  t.ok(
    !second.ok && second.errors.some((e) => e.file === 'c.yaml'),
    'the YAML error of a replayed file',
  );
  const fixed = same(t, cache, [
    CUSTOMERS,
    numbersFile('a.yaml', [berlin(1)]),
    numbersFile('b.yaml', [graz(2)]),
  ]);
  t.ok(fixed.ok, 'once fixed, valid');
});

t.test('files removed and added; removed files leave the cache', async (t) => {
  const cache = new SetCache();
  same(t, cache, VALID);
  t.equal(cache.size, 3);
  const removed = same(t, cache, [VALID[0]!, VALID[2]!]);
  t.ok(removed.ok);
  t.equal(cache.size, 2, 'bounded by the files of the last build');
  t.notOk(cache.has('a.yaml'));
  const added = same(t, cache, [VALID[0]!, VALID[2]!, numbersFile('c.yaml', [berlin(7)])]);
  t.ok(added.ok);
  t.equal(cache.size, 3);
  // a number removed from one file and added to another in the same change
  same(t, cache, [
    VALID[0]!,
    numbersFile('b.yaml', [graz(1)]),
    numbersFile('c.yaml', [berlin(7), berlin(3)]),
  ]);
});

t.test('a new day checks the quarantine again, though no text changed', async (t) => {
  const cache = new SetCache();
  const reactivated = [
    CUSTOMERS,
    numbersFile('n.yaml', [berlin(1, ['deactivatedAt: 2026-03-31'])]),
  ];
  const before = same(t, cache, reactivated, new Date('2026-09-29T23:00:00Z'));
  t.match(!before.ok && before.errors, [
    { file: 'n.yaml', message: /not be active again before 2026-09-30/ },
  ]);
  const later = same(t, cache, reactivated, new Date('2026-09-29T23:59:59Z'), 'same day: replayed');
  t.notOk(later.ok);
  const next = same(t, cache, reactivated, new Date('2026-09-30T00:00:01Z'), 'the next day');
  t.ok(next.ok, 'the quarantine ended: no stale error from the cache');
});

t.test('a customer moved between files', async (t) => {
  const cache = new SetCache();
  const numbers = numbersFile('n.yaml', [berlin(1), graz(1)]);
  const customers = customersWith([]);
  // the Graz customer, defined again in a later file with a seat the rules refuse: reported as a duplicate only
  const later = {
    file: 'z.yaml',
    text: 'version: 1\ncustomers:\n  - id: autohaus-graz\n    name: Graz\n    seat: { country: AT, areaCode: "999" }\n',
  };
  const twice = same(t, cache, [customers, numbers, later]);
  t.match(!twice.ok && twice.errors, [
    { file: 'z.yaml', line: 3, message: /already defined at customers.yaml:6/ },
  ]);
  // moved: customers.yaml no longer has it, z.yaml (replayed) now defines it first
  const berlinOnly = {
    file: 'customers.yaml',
    text: 'version: 1\ncustomers:\n  - id: autohaus-berlin\n    name: Autohaus Berlin\n    seat: { country: DE, areaCode: "30" }\n',
  };
  const moved = same(
    t,
    cache,
    [berlinOnly, numbers, later],
    NOW,
    'z.yaml replayed as the first definition',
  );
  t.match(!moved.ok && moved.errors, [
    { file: 'n.yaml', message: /seat in area code 0999/ },
    { file: 'z.yaml', line: 5, message: /'999' is not a geographic area code/ },
  ]);
  const fixed = { file: 'z.yaml', text: later.text.replace('"999"', '"316"') };
  const ok = same(t, cache, [berlinOnly, numbers, fixed]);
  t.ok(ok.ok);
  t.strictSame(ok.ok && ok.set.summary.customers.map((c) => c.id), [
    'autohaus-berlin',
    'autohaus-graz',
  ]);
});

t.test(
  'checkDialplans with a cache that keeps no decisions: same verdict, facts only',
  async (t) => {
    const cache = new SetCache({ keepDecisions: false });
    const check = (sources: SourceText[]) => {
      const r = checkDialplans(sources, { now: NOW, cache });
      const fresh = loadDialplans(sources, { now: NOW });
      t.strictSame(r, fresh.ok ? { ok: true, summary: fresh.set.summary } : fresh);
    };
    check(VALID);
    check([VALID[0]!, VALID[1]!, numbersFile('b.yaml', [berlin(1)])]);
    // loadDialplans can use such a cache too; it reads every file, for their decisions
    same(t, cache, VALID);
  },
);
