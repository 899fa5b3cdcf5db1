import t from 'tap';
import { loadDialplans } from '../../src/dialplan/load.js';
import { buildTable } from '../../src/dialplan/table.js';
import { REJECT_REASONS } from '../../src/routing/reasons.js';
import { ACTIVE, CUSTOMERS, numberEntry, numbersFile } from '../helpers/dialplan-texts.js';

const NOW = new Date('2026-11-22T10:00:00Z');

function table(defaultCountry: 'DE' | 'AT' = 'DE') {
  const numbers = numbersFile('numbers.yaml', [
    numberEntry('+493025550101', [
      'status: active',
      'destinations:',
      '  - to: "+493089001234"',
      '    ringTimeout: 20',
      '  - to: "sip:verkauf@pbx.example.de"',
      '    ringTimeout: 15',
      'options:',
      '  displayPrefix: "[mobile.de]"',
      '  recording: { enabled: true, retentionDays: 30 }',
    ]),
    numberEntry('+493025550102', [
      'status: deactivated',
      'deactivatedAt: 2026-10-01',
      'replacedBy: "+493025550103"',
    ]),
    numberEntry('+493025550103', [...ACTIVE, 'replaces: "+493025550102"']),
    numberEntry('+43316908070', ACTIVE, 'autohaus-graz'),
  ]);
  const r = loadDialplans([CUSTOMERS, numbers], { now: NOW });
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('\n'));
  return buildTable(r.set.decisions, r.set.summary, r.set.index, defaultCountry, NOW);
}

t.test('forward: ordered destinations, options, customer and source', async (t) => {
  const d = table().lookup('sip:030-2555-0101@carrier.example;user=phone');
  t.same(d, {
    kind: 'forward',
    number: '+493025550101',
    customerId: 'autohaus-berlin',
    source: 'mobile.de',
    destinations: [
      { type: 'e164', number: '+493089001234', ringTimeoutMs: 20_000 },
      { type: 'sip', uri: 'sip:verkauf@pbx.example.de', ringTimeoutMs: 15_000 },
    ],
    options: { displayPrefix: '[mobile.de]', recording: { enabled: true, retentionDays: 30 } },
  });
  t.ok(
    Object.isFrozen(d) && Object.isFrozen(d.kind === 'forward' && d.destinations[0]),
    'decisions are frozen',
  );
  t.equal(table().customer('autohaus-berlin')?.name, 'Autohaus Berlin');
});

t.test('every reject reason, with its SIP status', async (t) => {
  const tab = table();
  t.match(tab.lookup('+493025550102'), {
    kind: 'reject',
    reason: 'deactivated',
    sipStatus: 410,
    number: '+493025550102',
    replacedBy: '+493025550103',
    deactivatedAt: '2026-10-01',
  });
  t.match(tab.lookup('+493099999999'), {
    kind: 'reject',
    reason: 'unknown',
    sipStatus: 404,
    number: '+493099999999',
  });
  t.match(tab.lookup('+41445551234'), {
    kind: 'reject',
    reason: 'not-de-at',
    sipStatus: 404,
    number: '+41445551234',
  });
  t.match(tab.lookup('sip:alice@example.com'), {
    kind: 'reject',
    reason: 'malformed',
    sipStatus: 484,
  });
  t.match(tab.lookup('+4930'), {
    kind: 'reject',
    reason: 'malformed',
    sipStatus: 484,
    detail: /fewer than/,
  });
  t.equal(REJECT_REASONS.deactivated.sipReason, 'Gone');
});

t.test('a called number in the (0) form routes; an ambiguous one is malformed (484)', async (t) => {
  const tab = table();
  t.match(tab.lookup('sip:+49(0)3025550101@gw.example;user=phone'), { kind: 'forward' });
  t.match(tab.lookup('sip:+49030-2555-0101@gw.example'), {
    kind: 'reject',
    reason: 'malformed',
    sipStatus: 484,
    detail: /a 0 right after the country code/,
  });
  t.match(tab.lookup('tel:+49-30-(0)2555-0101'), {
    kind: 'reject',
    reason: 'malformed',
    detail: /may stand only right after the country code/,
  });
});

t.test('national numbers use the configured default country', async (t) => {
  t.equal(table('AT').lookup('0316908070').kind, 'forward');
  t.equal(table('DE').lookup('0316908070').kind, 'reject', 'in DE, 0316… is a German number');
});

t.test('table info counts what was loaded', async (t) => {
  t.match(table().info, {
    activeNumbers: 3,
    deactivatedNumbers: 1,
    customers: 2,
    version: /^[0-9a-f]{16}$/,
  });
});
