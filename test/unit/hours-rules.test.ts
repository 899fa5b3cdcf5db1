/** Business hours and closed actions in dialplans: every refusal with its file:line:col and why. */
import t from 'tap';
import { formatError } from '../../src/dialplan/errors.js';
import { loadDialplans, type SourceText } from '../../src/dialplan/load.js';
import {
  ACTIVE,
  CUSTOMERS,
  customersWith,
  numberEntry,
  numbersFile,
} from '../helpers/dialplan-texts.js';

function errorsOf(sources: SourceText[]): string[] {
  const r = loadDialplans(sources, { now: new Date('2026-11-22T12:00:00Z') });
  return r.ok ? [] : r.errors.map(formatError);
}

/** A number with these lines under `options:`. */
function withOptions(number: string, lines: string[]): string {
  return numberEntry(number, [...ACTIVE, 'options:', ...lines.map((l) => `  ${l}`)]);
}

t.test('timezone, holiday region, intervals and closed dates of a number', async (t) => {
  const e = errorsOf([
    CUSTOMERS,
    numbersFile('n.yaml', [
      withOptions('+493025550101', [
        'businessHours:',
        '  timezone: Europe/Berln',
        '  holidays: DE-XX',
        '  open:',
        '    - { days: [mon, tue], from: "18:00", to: "08:00" }',
        '    - { days: [fri], from: "22:00", to: "02:00", overnight: true }',
        '    - { days: [sat], from: "01:00", to: "03:00" }',
        '    - { days: [mon], from: "08:00", to: "24:00", overnight: true }',
        '  closedDates:',
        '    - { date: 2026-02-30 }',
        '    - { from: 2026-12-31, to: 2026-12-24, name: Inventur }',
      ]),
    ]),
  ]);
  t.same(e, [
    "n.yaml:12:19: timezone 'Europe/Berln' is not an IANA time zone (e.g. Europe/Berlin, Europe/Vienna)",
    "n.yaml:13:19: holidays 'DE-XX': DE has no state 'XX' (states: BB, BE, BW, BY, HB, HE, HH, MV, NI, NW, RP, SH, SL, SN, ST, TH)",
    "n.yaml:15:52: 'to' 08:00 is not after 'from' 18:00; an interval past midnight needs overnight: true",
    'n.yaml:17:13: interval sat 01:00-03:00 overlaps fri 22:00-02:00 (n.yaml:16) from sat 01:00; give each minute of the week to one interval',
    'n.yaml:18:47: overnight interval 08:00-24:00 must end the next day, before 08:00; without overnight it ends the same day',
    'n.yaml:20:21: closed date 2026-02-30 is not a calendar date',
    'n.yaml:21:37: closed to 2026-12-24 is before from 2026-12-31; both days are included, so a single day has from = to',
  ]);
});

t.test('a Sunday overnight interval overlapping Monday morning names both', async (t) => {
  const e = errorsOf([
    CUSTOMERS,
    numbersFile('n.yaml', [
      withOptions('+493025550101', [
        'businessHours:',
        '  timezone: Europe/Berlin',
        '  open:',
        '    - { days: [sun], from: "23:00", to: "01:00", overnight: true }',
        '    - { days: [mon, tue, wed], from: "00:30", to: "18:00" }',
      ]),
    ]),
  ]);
  t.same(e, [
    'n.yaml:15:13: interval mon-wed 00:30-18:00 overlaps sun 23:00-01:00 (n.yaml:14) from mon 00:30; give each minute of the week to one interval',
  ]);
});

t.test('schema: malformed times, empty lists, half closed dates, closed actions', async (t) => {
  const e = errorsOf([
    CUSTOMERS,
    numbersFile('n.yaml', [
      withOptions('+493025550101', [
        'businessHours:',
        '  timezone: Europe/Berlin',
        '  holidays: CH',
        '  open: []',
        '  closedDates: [{ date: 2026-12-24, to: 2026-12-25 }, { name: Inventur }]',
      ]),
      withOptions('+493025550102', [
        'businessHours: { open: [{ days: [mon], from: "8:00", to: "24:30" }] }',
        'closed: { action: announcement, file: a.wav, tone: "%(1000,0,440)" }',
      ]),
      withOptions('+493025550103', ['businessHours: {}', 'closed: { action: destinations }']),
      withOptions('+493025550104', ['closed: { action: refuse, file: a.wav }']),
    ]),
  ]);
  t.same(e, [
    "n.yaml:13:19: 'holidays' must be a holiday region: DE or AT, or a state as DE-BY or AT-9",
    "n.yaml:14:15: 'open' must be a list of 1 to 50 intervals (leave open out to be open around the clock)",
    "n.yaml:15:23: entry 1 of 'closedDates' must be either date (one day) or from and to (a span, both days included), not both",
    "n.yaml:15:61: missing required field 'from'",
    "n.yaml:15:61: missing required field 'to'",
    "n.yaml:24:52: 'from' must be a time of day as HH:MM",
    "n.yaml:24:64: 'to' must be a time of day as HH:MM, or 24:00 for the end of the day",
    "n.yaml:25:15: 'closed' must be action: announcement with either file (an audio file) or tone (a FreeSWITCH tone spec), not both",
    "n.yaml:34:22: 'businessHours' must be at least one of timezone, open, holidays, closedDates (each replaces the customer's; closedDates add up)",
    "n.yaml:35:15: missing required field 'destinations'",
    "n.yaml:44:15: 'closed' must be just the action: refuse and voicemail take no other fields",
  ]);
});

t.test('closed actions that need something absent, and looping closed destinations', async (t) => {
  const e = errorsOf([
    CUSTOMERS,
    numbersFile('n.yaml', [
      withOptions('+493025550101', [
        'businessHours: { timezone: Europe/Berlin, holidays: DE-BE }',
        'closed: { action: voicemail }',
      ]),
      withOptions('+493025550102', [
        'businessHours: { timezone: Europe/Berlin, holidays: DE-BE }',
        'closed:',
        '  action: destinations',
        '  destinations:',
        '    - { to: "+493025550101", ringTimeout: 20 }',
        '    - { to: "http://service.example", ringTimeout: 20 }',
      ]),
    ]),
  ]);
  t.same(e, [
    'n.yaml:12:25: closed action voicemail needs options.voicemail (where to send the messages), and +493025550101 has none',
    'n.yaml:25:19: destination +493025550101 is itself a tracking number; the call would loop through the gateway',
    "n.yaml:26:19: destination 'http://service.example' is neither an E.164 number (+…) nor a sip:/sips: URI",
  ]);
});

/** Customers after the numbers (files sort that way): the set rules see them all the same. */
const customersFile = (berlin: string[]) => customersWith(berlin, 'z-customers.yaml');

t.test('customer hours: checked alike; what numbers take from them needs the number', async (t) => {
  const e = errorsOf([
    numbersFile('n.yaml', [
      numberEntry('+493025550101', ACTIVE),
      withOptions('+493025550102', ['voicemail: { email: v@autohaus.example }']),
      withOptions('+493025550103', ['closed: { action: refuse }']),
      withOptions('+43316908070', ['businessHours: { holidays: AT }']).replace(
        'autohaus-berlin',
        'autohaus-graz',
      ),
    ]),
    customersFile([
      'businessHours:',
      '  timezone: Europe/Berlin',
      '  holidays: DE-BE',
      '  open: [{ days: [mon], from: "18:00", to: "08:00" }]',
      'closed:',
      '  action: voicemail',
    ]),
    {
      file: 'zz-customers.yaml',
      text: 'version: 1\ncustomers:\n  - id: autohaus-wien\n    name: W\n    seat: { country: AT, areaCode: "1" }\n    businessHours: { holidays: AT-9 }\n    closed: { action: destinations, destinations: [{ to: "+493025550101", ringTimeout: 20 }] }\n',
    },
  ]);
  t.same(e, [
    "n.yaml:3:13: +493025550101 takes the closed action voicemail of customer 'autohaus-berlin' (z-customers.yaml:11) but has no options.voicemail: give it one, or its own options.closed",
    "n.yaml:36:22: businessHours has no timezone, and customer 'autohaus-graz' has no businessHours to take it from: add timezone (e.g. Europe/Berlin)",
    "z-customers.yaml:9:48: 'to' 08:00 is not after 'from' 18:00; an interval past midnight needs overnight: true",
    "zz-customers.yaml:6:20: missing required field 'timezone'",
  ]);
});

t.test(
  'a customer closed action with destinations: checked and looped like a number',
  async (t) => {
    const e = errorsOf([
      numbersFile('n.yaml', [numberEntry('+493025550101', ACTIVE)]),
      customersFile([
        'closed:',
        '  action: destinations',
        '  destinations: [{ to: "+493025550101", ringTimeout: 20 }, { to: "sip:@", ringTimeout: 20 }]',
      ]),
    ]);
    t.match(e, [
      /^z-customers\.yaml:8:28: destination \+493025550101 is itself a tracking number/,
      /^z-customers\.yaml:8:70: destination 'sip:@' /,
    ]);
    t.equal(e.length, 2);
  },
);

t.test('valid hours and closed actions load', async (t) => {
  const e = errorsOf([
    numbersFile('n.yaml', [
      numberEntry('+493025550101', ACTIVE),
      withOptions('+493025550102', [
        'voicemail: { email: v@autohaus.example }',
        'closed: { action: voicemail }',
        'businessHours:',
        '  open: [{ days: [sat], from: "22:00", to: "24:00" }, { days: [sun], from: "00:00", to: "02:00" }]',
      ]),
    ]),
    customersFile([
      'businessHours:',
      '  timezone: Europe/Berlin',
      '  holidays: DE-BE',
      '  closedDates: [{ from: 2026-12-24, to: 2026-12-24 }]',
      'closed: { action: announcement, tone: "%(2000,4000,440)" }',
    ]),
  ]);
  t.same(e, []);
});

t.test('an entry the schema refused is not told its voicemail is missing', async (t) => {
  const e = errorsOf([
    numbersFile('n.yaml', [
      withOptions('+493025550101', [
        'voicemail: { email: v@autohaus.example }',
        'displayPrefix: 7',
      ]),
    ]),
    customersFile([
      'businessHours: { timezone: Europe/Berlin, holidays: DE-BE }',
      'closed: { action: voicemail }',
    ]),
  ]);
  t.match(e, [/^n\.yaml:12:22: 'displayPrefix' must be a string, not number/]);
  t.equal(e.length, 1, 'the schema error alone');
});

t.test(
  'a ringAll group in a closed action: each member checked and looped at its place',
  async (t) => {
    const e = errorsOf([
      CUSTOMERS,
      numbersFile('n.yaml', [
        withOptions('+493025550101', [
          'businessHours: { timezone: Europe/Berlin, holidays: DE-BE }',
          'closed:',
          '  action: destinations',
          '  destinations:',
          '    - ringAll: ["sip:a@service.example", "+493025550101", "ftp://x"]',
          '      ringTimeout: 20',
        ]),
      ]),
    ]);
    t.same(e, [
      'n.yaml:15:48: destination +493025550101 is itself a tracking number; the call would loop through the gateway',
      "n.yaml:15:65: destination 'ftp://x' is neither an E.164 number (+…) nor a sip:/sips: URI",
    ]);
  },
);
