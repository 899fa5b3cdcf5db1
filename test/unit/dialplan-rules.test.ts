/** Domain rules on in-memory sets: what is refused, where, and that nothing half-valid is kept. */
import t from 'tap';
import { formatError } from '../../src/dialplan/errors.js';
import { loadDialplans, type SourceText } from '../../src/dialplan/load.js';
import { ACTIVE, CUSTOMERS, numberEntry, numbersFile } from '../helpers/dialplan-texts.js';

function errorsOf(sources: SourceText[], now = '2026-11-22'): string[] {
  const r = loadDialplans(sources, { now: new Date(`${now}T12:00:00Z`) });
  return r.ok ? [] : r.errors.map(formatError);
}

t.test('quarantine: 6 months from deactivation, by the injected clock', async (t) => {
  const reactivated = (activatedAt?: string) =>
    numbersFile('n.yaml', [
      numberEntry('+493025550101', [
        ...ACTIVE,
        'deactivatedAt: 2026-03-31',
        ...(activatedAt ? [`activatedAt: ${activatedAt}`] : []),
      ]),
    ]);
  t.match(errorsOf([CUSTOMERS, reactivated()], '2026-09-29'), [
    /not be active again before 2026-09-30/,
  ]);
  t.same(
    errorsOf([CUSTOMERS, reactivated()], '2026-09-30'),
    [],
    'allowed on the day the quarantine ends',
  );
  t.match(
    errorsOf([CUSTOMERS, reactivated('2026-08-01')], '2026-11-22'),
    [/quarantine/],
    'activation date inside the quarantine',
  );
  t.same(errorsOf([CUSTOMERS, reactivated('2026-10-01')], '2026-11-22'), []);
  const endOfMonth = numbersFile('n.yaml', [
    numberEntry('+493025550101', [...ACTIVE, 'deactivatedAt: 2026-08-31']),
  ]);
  t.match(
    errorsOf([CUSTOMERS, endOfMonth], '2027-02-27'),
    [/before 2027-02-28/],
    'months are calendar months, clamped',
  );
});

t.test('lifecycle fields are checked', async (t) => {
  const e = errorsOf([
    CUSTOMERS,
    numbersFile('n.yaml', [
      numberEntry('+493025550101', ['status: deactivated', 'deactivatedAt: 2026-02-30']),
      numberEntry('+493025550102', ['status: deactivated', 'deactivatedAt: 2027-01-01']),
      numberEntry('+493025550103', [...ACTIVE, 'replacedBy: "+493025550104"']),
      numberEntry('+493025550104', [...ACTIVE, 'replaces: "+493025550199"']),
      numberEntry('+43316908070', [...ACTIVE, 'replaces: "+493025550101"'], 'autohaus-graz'),
      numberEntry('+493025550105', ['status: deactivated']),
    ]),
  ]);
  t.match(e, [
    /n\.yaml:7:20: deactivatedAt 2026-02-30 is not a calendar date/,
    /n\.yaml:12:20: deactivatedAt 2027-01-01 is in the future/,
    /n\.yaml:20:17: \+493025550103 has replacedBy but is still active/,
    /n\.yaml:28:15: replaces \+493025550199 is not defined in any dialplan file/,
    /n\.yaml:36:15: replaces \+493025550101 belongs to customer 'autohaus-berlin' \(n\.yaml:3\)/,
    /n\.yaml:37:5: missing required field 'deactivatedAt'/,
  ]);
});

t.test('customers: unique ids, real seat area codes, references resolve', async (t) => {
  const customers = {
    file: 'c.yaml',
    text: 'version: 1\ncustomers:\n  - id: a\n    name: A\n    seat: { country: DE, areaCode: "151" }\n  - id: a\n    name: A again\n    seat: { country: DE, areaCode: "30" }\n',
  };
  t.match(errorsOf([customers]), [
    /c\.yaml:5:36: '151' is not a geographic area code in DE/,
    /c\.yaml:6:9: customer 'a' is already defined at c\.yaml:3/,
  ]);
});

t.test('non-geographic numbers may belong to a customer of any seat', async (t) => {
  const set = [
    CUSTOMERS,
    numbersFile('n.yaml', [
      numberEntry('+498001234567', ACTIVE),
      numberEntry('+4915112345678', ACTIVE),
    ]),
  ];
  t.same(errorsOf(set), []);
});

t.test('a destination that is a tracking number would loop', async (t) => {
  const e = errorsOf([
    CUSTOMERS,
    numbersFile('n.yaml', [
      numberEntry('+493025550101', [
        'status: active',
        'destinations:',
        '  - to: "+493025550101"',
        '    ringTimeout: 20',
      ]),
    ]),
  ]);
  t.match(e, [/n\.yaml:8:13: destination \+493025550101 is itself a tracking number/]);
});

t.test('duplicate within the same customer names the first place', async (t) => {
  const e = errorsOf([
    CUSTOMERS,
    numbersFile('n.yaml', [
      numberEntry('+493025550101', ACTIVE),
      numberEntry('+493025550101', ACTIVE),
    ]),
  ]);
  t.match(e, [
    /n\.yaml:10:13: \+493025550101 is already defined at n\.yaml:3: one entry per number/,
  ]);
});

t.test('a broken file does not hide the errors of the others, nor invent new ones', async (t) => {
  const broken = {
    file: 'broken.yaml',
    text: 'version: 2\ncustomers:\n  - id: autohaus-x\n    name: X\n    seat: { country: CH, areaCode: "44" }\n',
  };
  const e = errorsOf([
    broken,
    numbersFile('n.yaml', [numberEntry('+41445551234', ACTIVE, 'autohaus-x')]),
  ]);
  t.match(e, [
    /broken\.yaml:1:10: 'version' must be 1/,
    /broken\.yaml:5:22: 'country' must be one of "DE", "AT", not "CH"/,
    /n\.yaml:3:13: \+41445551234 is not in the German/,
  ]);
  t.equal(e.length, 3, 'no "customer not defined" for the customer whose entry is broken');
});

t.test('a document that is not a mapping, and an empty file', async (t) => {
  t.match(errorsOf([{ file: 'list.yaml', text: '- 1\n- 2\n' }]), [
    /list\.yaml:1:1: the document must be an object/,
  ]);
  t.match(errorsOf([{ file: 'empty.yaml', text: '' }]), [
    /empty\.yaml:1:1: the document must be an object, not empty/,
  ]);
});
