/**
 * One entry of a large file edited as a region (lifecycle/regions.ts): the rest of the file stays
 * byte for byte; layouts the fast path does not know fall back to parsing the whole file.
 */
import t from 'tap';
import {
  changedTexts,
  type EditableSet,
  findNumber,
  markChanged,
} from '../../src/dialplan/lifecycle/documents.js';
import { numberRegion } from '../../src/dialplan/lifecycle/regions.js';

const FILE = `version: 1
numbers:
  # first
  - number: "+493025550101"   # the showroom line
    customer: a
    status: active

  # second, number not the first key
  - customer: a
    number: '+493025550102'
    status:   active
    destinations:
      - to: "+493089001234"      # rings first
        ringTimeout: 20
# a comment at the margin, before the third
  - number: "+493025550103"
    status: active
`;

const setOf = (text: string): EditableSet => ({
  dir: '/nonexistent',
  sources: [{ file: 'a.yaml', text }],
  docs: new Map(),
  regions: new Map(),
  changed: new Set(),
});

t.test('each entry is found as a region of its own lines', async (t) => {
  const r1 = numberRegion(FILE, '+493025550101')!;
  t.equal(
    FILE.slice(r1.start, r1.end),
    '  - number: "+493025550101"   # the showroom line\n    customer: a\n    status: active\n',
  );
  const r2 = numberRegion(FILE, '+493025550102')!;
  t.match(FILE.slice(r2.start, r2.end), /^ {2}- customer: a\n[\s\S]*ringTimeout: 20\n$/);
  const r3 = numberRegion(FILE, '+493025550103')!;
  t.equal(FILE.slice(r3.start, r3.end), '  - number: "+493025550103"\n    status: active\n');
  t.equal(numberRegion(FILE, '+4930255501'), undefined, 'a prefix of a number is not it');
  t.equal(
    numberRegion('numbers: [{ number: "+493025550101" }]\n', '+493025550101'),
    undefined,
    'flow style: not this path',
  );
});

t.test('an edit changes its lines only; the rest stays byte for byte', async (t) => {
  const set = setOf(FILE);
  const found = findNumber(set, '+493025550102')!;
  t.ok(found.file.region, 'edited as a region');
  t.equal(set.docs.size, 0, 'the file is not parsed');
  found.node.set('status', 'deactivated');
  found.node.set('deactivatedAt', '2026-11-22');
  markChanged(set, found.file);
  const [after] = changedTexts(set);
  t.equal(
    after!.text,
    FILE.replace(
      '    status:   active\n    destinations',
      '    status: deactivated\n    destinations',
    ).replace(
      '        ringTimeout: 20\n',
      '        ringTimeout: 20\n    deactivatedAt: 2026-11-22\n',
    ),
  );
});

t.test('two regions of one file; a layout it does not know parses the whole file', async (t) => {
  const set = setOf(FILE);
  for (const n of ['+493025550101', '+493025550103']) {
    const f = findNumber(set, n)!;
    f.node.set('status', 'deactivated');
    markChanged(set, f.file);
  }
  const [after] = changedTexts(set);
  t.equal(after!.text.match(/status: deactivated/g)?.length, 2);
  t.match(after!.text, /"\+493025550101" {3}# the showroom line/, 'comment spacing kept');
  const flow = setOf('version: 1\nnumbers: [{ number: "+493025550101", status: active }]\n');
  const f = findNumber(flow, '+493025550101')!;
  t.notOk(f.file.region);
  t.equal(flow.docs.size, 1);
});
