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

const withDestinations = (lines: string[]) =>
  numbersFile('n.yaml', [
    numberEntry('+493025550101', [
      'status: active',
      'destinations:',
      ...lines.map((l) => `  ${l}`),
    ]),
  ]);

t.test('a ringAll group is accepted and compiled with its members in order', async (t) => {
  const r = loadDialplans(
    [
      CUSTOMERS,
      withDestinations([
        '- ringAll: ["+493089001234", "sip:verkauf@pbx.example"]',
        '  ringTimeout: 15',
        '- to: "+493089009999"',
        '  ringTimeout: 20',
      ]),
    ],
    { now: new Date('2026-11-22T12:00:00Z') },
  );
  t.ok(r.ok);
  const d = r.ok ? r.set.decisions[0] : undefined;
  t.same(d?.kind === 'forward' && d.destinations, [
    {
      type: 'group',
      members: [
        { type: 'e164', number: '+493089001234', ringTimeoutMs: 15_000 },
        { type: 'sip', uri: 'sip:verkauf@pbx.example', ringTimeoutMs: 15_000 },
      ],
      ringTimeoutMs: 15_000,
    },
    { type: 'e164', number: '+493089009999', ringTimeoutMs: 20_000 },
  ]);
  t.same(JSON.parse(JSON.stringify(d)), d, 'plain data: it travels as JSON from the reload worker');
});

t.test('ringAll members are checked one by one, at their own position', async (t) => {
  const e = errorsOf([
    CUSTOMERS,
    withDestinations([
      '- ringAll:',
      '    - "+493089001234"',
      '    - "+49 030 89001234"',
      '    - "http://pbx.example/x"',
      '    - "+493025550101"',
      '  ringTimeout: 15',
    ]),
  ]);
  t.match(e, [
    /^n\.yaml:10:13: destination '\+49 030 89001234' is not an E\.164 number/,
    /^n\.yaml:11:13: destination 'http:\/\/pbx\.example\/x' is neither an E\.164 number/,
    /^n\.yaml:12:13: destination \+493025550101 is itself a tracking number; the call would loop/,
  ]);
  t.equal(e.length, 3);
});

t.test('a member listed twice in one group is refused at the second', async (t) => {
  const e = errorsOf([
    CUSTOMERS,
    withDestinations([
      '- ringAll: ["sip:a@pbx.example", "+493089001234", "sip:a@pbx.example"]',
      '  ringTimeout: 15',
    ]),
  ]);
  t.same(e.length, 1);
  t.match(
    e[0],
    /^n\.yaml:8:57: 'sip:a@pbx\.example' is already a member of this ringAll group at n\.yaml:8/,
  );
});

t.test('a ring timeout is at most 180 s: drachtio-server’s timer C cancels at 185 s', async (t) => {
  const ringing = (seconds: number) =>
    errorsOf([CUSTOMERS, withDestinations([`- { to: "+493089001234", ringTimeout: ${seconds} }`])]);
  t.same(ringing(180), [], '180 s is taken');
  t.match(ringing(181), [/^n\.yaml:8:\d+: 'ringTimeout' must be .* from 1 to 180: .*\(timer C\)/]);
  t.match(ringing(300), [/from 1 to 180/], 'the old upper bound is refused, saying why');
});

t.test('the schema names the wrong field of a group or a destination', async (t) => {
  const e = errorsOf([
    CUSTOMERS,
    withDestinations([
      '- ringAll: ["+493089001234"]',
      '  ringTimeout: 15',
      '- ringAll: ["+493089001234", "+493089001235"]',
      '  to: "+493089001236"',
      '  ringTimeout: 15',
      '- ringAll: ["+493089001234", "+493089001235"]',
      '- ringAll: ["+493089001234", 4930]',
      '  ringTimeout: 0',
      '- ringTimeout: 15',
    ]),
  ]);
  t.match(e, [
    /^n\.yaml:8:\d+: 'ringAll' must be a list of 2 to 10 destinations \(E\.164 numbers or sip: URIs\) rung at once$/,
    /^n\.yaml:11:\d+: unknown field 'to' \(allowed here: ringAll, ringTimeout\)$/,
    /^n\.yaml:13:\d+: missing required field 'ringTimeout'$/,
    /^n\.yaml:14:\d+: entry 2 of 'ringAll' must be a string, not number/,
    /^n\.yaml:15:\d+: 'ringTimeout' must be a whole number of seconds from 1 to 180: drachtio-server's SIP stack cancels a dealer's INVITE 185 s after its last 18x \(timer C\), whatever the ring timeout$/,
    /^n\.yaml:16:\d+: missing required field 'to'$/,
  ]);
  t.equal(e.length, 6, e.join('\n'));
});
