/**
 * RouteTable.plan at injected instants: DST switch days in Berlin and Vienna, holidays per state,
 * closed dates, an interval across midnight, number overrides of customer hours. No real clock.
 */
import t from 'tap';
import type { ForwardDecision } from '../../src/routing/decision.js';
import type { RouteTable } from '../../src/routing/route-table.js';
import { ACTIVE, numberEntry, tableOf as tableAt } from '../helpers/dialplan-texts.js';

const NOW = new Date('2026-01-10T12:00:00Z');

const tableOf = (entries: string[], berlin: string[] = []) => tableAt(entries, berlin, NOW);

function hours(lines: string[]): string[] {
  return [...ACTIVE, 'options:', '  businessHours:', ...lines.map((l) => `    ${l}`)];
}

/** open / closed:<why> at each ISO instant, for a compact assertion. */
function states(table: RouteTable, number: string, instants: string[]): string[] {
  const d = table.lookup(number) as ForwardDecision;
  return instants.map((iso) => {
    const p = table.plan(d, Date.parse(iso));
    if (p.open) return `open${p.rule ? ` ${p.rule}` : ''}`;
    return `closed ${p.why.kind}${'name' in p.why && p.why.name ? ` ${p.why.name}` : ''}`;
  });
}

/** At 01:29, 01:30, 01:59, 03:00, 03:29, 03:30, 07:59, 08:00, 17:59, 18:00 local on both switch days. */
const AROUND_THE_SWITCH = [
  'closed hours',
  'open sun 01:30-03:30',
  'open sun 01:30-03:30',
  'open sun 01:30-03:30',
  'open sun 01:30-03:30',
  'closed hours',
  'closed hours',
  'open sun 08:00-18:00',
  'open sun 08:00-18:00',
  'closed hours',
];

const DST_HOURS = [
  'open:',
  '  - { days: [sun], from: "01:30", to: "03:30" }',
  '  - { days: [sun], from: "08:00", to: "18:00" }',
];

for (const [zone, number, customer] of [
  ['Europe/Berlin', '+493025550101', 'autohaus-berlin'],
  ['Europe/Vienna', '+43316908070', 'autohaus-graz'],
] as const) {
  const table = () =>
    tableOf([numberEntry(number, hours([`timezone: ${zone}`, ...DST_HOURS]), customer)]);

  t.test(`${zone}: the spring switch (2026-03-29, 02:00 CET → 03:00 CEST)`, async (t) => {
    t.same(
      states(table(), number, [
        '2026-03-29T00:29:00Z', // 01:29 CET
        '2026-03-29T00:30:00Z', // 01:30 CET
        '2026-03-29T00:59:00Z', // 01:59 CET
        '2026-03-29T01:00:00Z', // 03:00 CEST: the hour 02:00-02:59 does not exist
        '2026-03-29T01:29:00Z', // 03:29 CEST
        '2026-03-29T01:30:00Z', // 03:30 CEST
        '2026-03-29T05:59:00Z', // 07:59 CEST
        '2026-03-29T06:00:00Z', // 08:00 CEST (07:00 UTC+1 would still be closed)
        '2026-03-29T15:59:00Z', // 17:59 CEST
        '2026-03-29T16:00:00Z', // 18:00 CEST
      ]),
      AROUND_THE_SWITCH,
    );
  });

  t.test(`${zone}: the autumn switch (2026-10-25, 03:00 CEST → 02:00 CET)`, async (t) => {
    t.same(
      states(table(), number, [
        '2026-10-24T23:29:00Z', // 01:29 CEST
        '2026-10-24T23:30:00Z', // 01:30 CEST
        '2026-10-25T00:59:00Z', // 02:59 CEST, the first time
        '2026-10-25T01:00:00Z', // 02:00 CET, the second time
        '2026-10-25T02:29:00Z', // 03:29 CET
        '2026-10-25T02:30:00Z', // 03:30 CET
        '2026-10-25T06:59:00Z', // 07:59 CET
        '2026-10-25T07:00:00Z', // 08:00 CET (09:00 UTC+2 would already be open an hour earlier)
        '2026-10-25T16:59:00Z', // 17:59 CET
        '2026-10-25T17:00:00Z', // 18:00 CET
      ]),
      AROUND_THE_SWITCH,
    );
  });
}

const WEEKDAYS = ['open:', '  - { days: [mon, tue, wed, thu, fri], from: "08:00", to: "18:00" }'];

t.test('Fronleichnam 2026-06-04 closes in DE-BY, not in DE-BE', async (t) => {
  const table = tableOf([
    numberEntry(
      '+493025550101',
      hours(['timezone: Europe/Berlin', 'holidays: DE-BY', ...WEEKDAYS]),
    ),
    numberEntry(
      '+493025550102',
      hours(['timezone: Europe/Berlin', 'holidays: DE-BE', ...WEEKDAYS]),
    ),
  ]);
  const at = ['2026-06-04T08:00:00Z', '2026-06-05T08:00:00Z'];
  t.same(states(table, '+493025550101', at), [
    'closed holiday Fronleichnam',
    'open mon-fri 08:00-18:00',
  ]);
  t.same(states(table, '+493025550102', at), [
    'open mon-fri 08:00-18:00',
    'open mon-fri 08:00-18:00',
  ]);
});

t.test('the Austrian Nationalfeiertag 2026-10-26 closes an AT number', async (t) => {
  const table = tableOf([
    numberEntry(
      '+43316908070',
      hours(['timezone: Europe/Vienna', 'holidays: AT-6', ...WEEKDAYS]),
      'autohaus-graz',
    ),
  ]);
  t.same(
    states(table, '+43316908070', [
      '2026-10-25T22:59:00Z', // sun 23:59
      '2026-10-26T09:00:00Z', // mon 10:00, Nationalfeiertag
      '2026-10-26T23:00:00Z', // tue 00:00
      '2026-10-27T07:00:00Z', // tue 08:00
    ]),
    ['closed hours', 'closed holiday Nationalfeiertag', 'closed hours', 'open mon-fri 08:00-18:00'],
  );
});

t.test('observances do not close: Muttertag is not a public holiday', async (t) => {
  const table = tableOf([
    numberEntry('+493025550101', hours(['timezone: Europe/Berlin', 'holidays: DE'])),
  ]);
  t.same(states(table, '+493025550101', ['2026-05-10T10:00:00Z', '2026-10-03T10:00:00Z']), [
    'open',
    'closed holiday Tag der Deutschen Einheit',
  ]);
});

t.test('customer hours and closed dates; a number overrides fields and adds dates', async (t) => {
  const berlin = [
    'businessHours:',
    '  timezone: Europe/Berlin',
    '  holidays: DE-BE',
    '  open: [{ days: [mon, tue, wed, thu, fri], from: "08:00", to: "18:00" }]',
    '  closedDates:',
    '    - { date: 2026-12-24, name: Heiligabend }',
    '    - { from: 2026-12-28, to: 2026-12-30, name: Inventur }',
    'closed: { action: announcement, file: closed.wav }',
  ];
  const table = tableOf(
    [
      numberEntry('+493025550101', ACTIVE),
      numberEntry('+493025550102', [
        ...ACTIVE,
        'options:',
        '  voicemail: { email: a@b.example }',
        '  closed: { action: voicemail }',
        '  businessHours:',
        '    open: [{ days: [sat], from: "09:00", to: "13:00" }]',
        '    closedDates: [{ date: 2026-12-19, name: Betriebsfeier }]',
      ]),
    ],
    berlin,
  );
  t.same(
    states(table, '+493025550101', [
      '2026-12-23T09:00:00Z',
      '2026-12-24T09:00:00Z',
      '2026-12-27T23:00:00Z', // mon 00:00, first day of the span
      '2026-12-30T22:59:00Z', // wed 23:59, last minute of the span
      '2026-12-30T23:00:00Z', // thu 00:00, closed by the hours only
      '2026-12-31T09:00:00Z',
      '2026-12-19T09:00:00Z',
    ]),
    [
      'open mon-fri 08:00-18:00',
      'closed closed-date Heiligabend',
      'closed closed-date Inventur',
      'closed closed-date Inventur',
      'closed hours',
      'open mon-fri 08:00-18:00',
      'closed hours',
    ],
  );
  t.same(
    states(table, '+493025550102', [
      '2026-12-12T09:00:00Z', // sat 10:00: its own hours
      '2026-12-14T09:00:00Z', // mon 10:00: not in its own hours
      '2026-12-19T09:00:00Z', // sat: its own closed date
      '2026-12-24T09:00:00Z', // the customer's closed date still applies
      '2026-12-26T09:00:00Z', // sat, 2. Weihnachtstag: the customer's holidays
    ]),
    [
      'open sat 09:00-13:00',
      'closed hours',
      'closed closed-date Betriebsfeier',
      'closed closed-date Heiligabend',
      'closed holiday 2. Weihnachtstag',
    ],
  );
  const plainPlan = table.plan(
    table.lookup('+493025550101') as ForwardDecision,
    Date.parse('2026-12-24T09:00:00Z'),
  );
  t.same(plainPlan, {
    open: false,
    why: { kind: 'closed-date', name: 'Heiligabend' },
    action: { kind: 'announcement', prompt: { file: 'closed.wav' } },
  });
  const own = table.plan(
    table.lookup('+493025550102') as ForwardDecision,
    Date.parse('2026-12-24T09:00:00Z'),
  );
  t.match(own, { open: false, action: { kind: 'voicemail' } }, 'its own closed action');
});

t.test('an interval across midnight belongs to the day it starts', async (t) => {
  const table = tableOf([
    numberEntry(
      '+493025550101',
      hours([
        'timezone: Europe/Berlin',
        'open: [{ days: [fri], from: "22:00", to: "02:00", overnight: true }]',
      ]),
    ),
  ]);
  t.same(
    states(table, '+493025550101', [
      '2026-11-13T20:59:00Z', // fri 21:59
      '2026-11-13T21:00:00Z', // fri 22:00
      '2026-11-14T00:59:00Z', // sat 01:59
      '2026-11-14T01:00:00Z', // sat 02:00
      '2026-11-14T21:00:00Z', // sat 22:00
      '2026-11-15T00:30:00Z', // sun 01:30
    ]),
    [
      'closed hours',
      'open fri 22:00-02:00',
      'open fri 22:00-02:00',
      'closed hours',
      'closed hours',
      'closed hours',
    ],
  );
});

t.test('numbers nothing closes are open; closed destinations parsed at compile time', async (t) => {
  const table = tableOf([
    numberEntry('+493025550101', ACTIVE),
    numberEntry('+493025550102', [
      ...ACTIVE,
      'options:',
      '  businessHours: { timezone: Europe/Berlin, open: [{ days: [mon], from: "08:00", to: "24:00" }] }',
      '  closed:',
      '    action: destinations',
      '    destinations: [{ to: "sip:service@answering.example", ringTimeout: 30 }]',
    ]),
  ]);
  const plain = table.lookup('+493025550101') as ForwardDecision;
  t.same(table.plan(plain, Date.parse('2026-12-24T09:00:00Z')), {
    open: true,
    destinations: plain.destinations,
  });
  const service = table.lookup('+493025550102') as ForwardDecision;
  t.same(
    JSON.parse(JSON.stringify(service.closedDestinations)),
    [{ type: 'sip', uri: 'sip:service@answering.example', ringTimeoutMs: 30_000 }],
    'parsed at compile time, plain data',
  );
  t.same(table.plan(service, Date.parse('2026-11-17T10:00:00Z')), {
    open: false,
    why: { kind: 'hours' },
    action: {
      kind: 'destinations',
      destinations: [{ type: 'sip', uri: 'sip:service@answering.example', ringTimeoutMs: 30_000 }],
    },
  });
  t.match(
    table.plan(service, Date.parse('2026-11-16T22:59:00Z')),
    {
      open: true,
      rule: 'mon 08:00-24:00',
    },
    '24:00 ends the day',
  );
  t.equal(table.timezone(service), 'Europe/Berlin');
  t.equal(table.timezone(plain), undefined);
});

t.test('without a closed action: refuse', async (t) => {
  const table = tableOf([
    numberEntry('+493025550101', hours(['timezone: Europe/Berlin', ...WEEKDAYS])),
  ]);
  const d = table.lookup('+493025550101') as ForwardDecision;
  t.same(table.plan(d, Date.parse('2026-11-15T10:00:00Z')), {
    open: false,
    why: { kind: 'hours' },
    action: { kind: 'refuse' },
  });
});

t.test(
  'a decision planned after other lookups gets the same plan as right after its own',
  async (t) => {
    const table = tableOf([
      numberEntry(
        '+493025550101',
        hours(['timezone: Europe/Berlin', 'holidays: DE-BY', ...WEEKDAYS]),
      ),
      numberEntry('+493025550102', ACTIVE),
    ]);
    const at = Date.parse('2026-06-04T08:00:00Z');
    const first = table.lookup('+493025550101') as ForwardDecision;
    const direct = table.plan(first, at);
    t.same(table.plan(first, at), direct, 'again, by its noted rules');
    table.lookup('+493025550102');
    t.same(table.plan(first, at), direct, 'after another lookup');
    t.match(direct, { open: false, why: { kind: 'holiday', name: 'Fronleichnam' } });
    t.same(table.plan(table.lookup('+493025550102') as ForwardDecision, at), {
      open: true,
      destinations: [{ type: 'e164', number: '+493089001234', ringTimeoutMs: 20_000 }],
    });
  },
);

t.test('closed destinations take ringAll groups, on a number and on its customer', async (t) => {
  const closedGroup = [
    'closed:',
    '  action: destinations',
    '  destinations:',
    '    - { ringAll: ["sip:a@service.example", "sip:b@service.example"], ringTimeout: 25 }',
    '    - { to: "sip:night@service.example", ringTimeout: 30 }',
  ];
  const group = {
    type: 'group',
    members: [
      { type: 'sip', uri: 'sip:a@service.example', ringTimeoutMs: 25_000 },
      { type: 'sip', uri: 'sip:b@service.example', ringTimeoutMs: 25_000 },
    ],
    ringTimeoutMs: 25_000,
  };
  const night = { type: 'sip', uri: 'sip:night@service.example', ringTimeoutMs: 30_000 };
  const sunday = Date.parse('2026-11-15T10:00:00Z');
  const own = tableOf([
    numberEntry('+493025550101', [
      ...hours(['timezone: Europe/Berlin', ...WEEKDAYS]),
      ...closedGroup.map((l) => `  ${l}`),
    ]),
  ]);
  t.same(own.plan(own.lookup('+493025550101') as ForwardDecision, sunday), {
    open: false,
    why: { kind: 'hours' },
    action: { kind: 'destinations', destinations: [group, night] },
  });
  const customers = tableOf(
    [numberEntry('+493025550101', ACTIVE)],
    [
      'businessHours:',
      '  timezone: Europe/Berlin',
      ...WEEKDAYS.map((l) => `  ${l}`),
      ...closedGroup,
    ],
  );
  t.match(customers.plan(customers.lookup('+493025550101') as ForwardDecision, sunday), {
    open: false,
    action: { kind: 'destinations', destinations: [group, night] },
  });
});
