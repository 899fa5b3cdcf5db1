/**
 * The call journal's pure parts: an entry survives encode/decode, a bad one is refused with the
 * record id, and the record of an orphaned call gets the right ring and talk time, outcome and
 * privacy (traffic fields only from an entry that has them; a withheld caller never copied).
 */
import t from 'tap';
import { createAnonymiser } from '../../src/records/anonymise.js';
import {
  decodeEntry,
  encodeEntry,
  encodeEntryWith,
  type JournalEntry,
  JournalEntryError,
  lostTiming,
  orphanRecords,
  startFields,
} from '../../src/records/journal-entry.js';

const START = Date.parse('2026-11-22T10:00:00.000Z');

function entry(over: Partial<JournalEntry> = {}): JournalEntry {
  return {
    life: 'life-1',
    record: {
      id: 'rec-1',
      node: 'gw-a',
      dialplanVersion: 'v1',
      trackingNumber: '+493025550101',
      customer: 'autohaus-berlin',
      source: 'mobile.de',
      startedAt: new Date(START).toISOString(),
      callerCountry: 'DE',
      callerKind: 'mobile',
      callerWithheld: '0',
      callerPseudonym: '',
      afterHours: '',
      closedAction: '',
    },
    ...over,
  };
}

t.test("the start fields are the anonymised record's, the caller only as class", async (t) => {
  const call = {
    recordId: 'rec-1',
    callId: '1-1@127.0.0.1',
    nodeId: 'gw-a',
    dialplanVersion: 'v1',
    startedAt: new Date(START).toISOString(),
    callerWithheld: false,
    callerNumber: '+4917612345678',
    trackingNumber: '+493025550101',
    customerId: 'autohaus-berlin',
    source: 'mobile.de',
    afterHours: { why: 'hours', action: 'destinations' },
  } as const;
  const fields = startFields(createAnonymiser(undefined), call);
  t.same(fields, { ...entry().record, afterHours: 'hours', closedAction: 'destinations' });
  t.notOk(JSON.stringify(fields).includes('17612345678'), 'no caller number');
});

t.test(
  'an entry encoded with its record JSON given is the same text as encoded whole',
  async (t) => {
    const traffic = { caller: '+4917612345678', destination: '+493025550199' };
    const shapes: Partial<JournalEntry>[] = [
      {},
      { answeredAt: '2026-11-22T10:00:05.000Z', destinationIndex: 0 },
      { traffic: { caller: '' } },
      { traffic, answeredAt: '2026-11-22T10:00:05.000Z', destinationIndex: 2 },
      { answeredAt: '2026-11-22T10:00:05.000Z', seq: 41 },
    ];
    for (const over of shapes) {
      const e = entry(over);
      t.equal(encodeEntryWith(e, JSON.stringify(e.record)), encodeEntry(e), JSON.stringify(over));
    }
  },
);

t.test('encode and decode give the entry back, the hash field names its id', async (t) => {
  const e = entry({ answeredAt: '2026-11-22T10:00:05.000Z', destinationIndex: 1 });
  t.same(decodeEntry('rec-1', encodeEntry(e)), e);
  t.equal(decodeEntry('rec-9', encodeEntry(e)).record.id, 'rec-9', 'the field wins over the value');
});

t.test('an entry that is not one is refused, naming the record', async (t) => {
  t.throws(() => decodeEntry('rec-x', 'not json'), JournalEntryError);
  t.throws(() => decodeEntry('rec-x', '{}'), /journal entry rec-x/);
  t.throws(() => decodeEntry('rec-x', encodeEntry(entry({ answeredAt: 'yesterday' }))), {
    message: /rec-x.*valid start time/,
  });
  const noStart = { ...entry(), record: { ...entry().record, startedAt: 'soon' } };
  t.throws(() => decodeEntry('rec-x', JSON.stringify(noStart)), JournalEntryError);
});

t.test('talk time runs from the answer to the last beat, never below 0', async (t) => {
  t.same(lostTiming(START, START + 5000, START + 65_000), {
    endMs: START + 65_000,
    ringMs: 5000,
    talkMs: 60_000,
  });
  t.same(lostTiming(START, undefined, START + 9000), {
    endMs: START + 9000,
    ringMs: 9000,
    talkMs: 0,
  });
  t.same(
    lostTiming(START, START + 5000, START + 1000),
    { endMs: START + 5000, ringMs: 5000, talkMs: 0 },
    'a beat before the answer: ends at the answer',
  );
  t.same(lostTiming(START, undefined, 0), { endMs: START, ringMs: 0, talkMs: 0 }, 'no beat known');
});

t.test('an answered orphan: node-lost, 200, talk time to the beat, no traffic', async (t) => {
  const { record, traffic } = orphanRecords(
    entry({ answeredAt: '2026-11-22T10:00:05.000Z', destinationIndex: 2 }),
    START + 65_400,
  );
  t.match(record, {
    id: 'rec-1',
    node: 'gw-a',
    outcome: 'answered',
    sipStatus: '200',
    destinationIndex: '2',
    answeredAt: '2026-11-22T10:00:05.000Z',
    endedAt: '2026-11-22T10:01:05.400Z',
    ringMs: '5000',
    talkMs: '60400',
    endedBy: 'node-lost',
    callerCountry: 'DE',
  });
  t.equal(traffic, undefined, 'the entry has no traffic fields: no traffic record');
});

t.test('an unanswered orphan: failed, status 0, no talk time', async (t) => {
  const { record } = orphanRecords(entry(), START + 3000);
  t.match(record, {
    outcome: 'failed',
    sipStatus: '0',
    answeredAt: '',
    ringMs: '3000',
    talkMs: '0',
    destinationIndex: '',
    endedBy: 'node-lost',
  });
});

t.test('traffic: caller and destination kept, billed seconds rounded up', async (t) => {
  const { traffic } = orphanRecords(
    entry({
      answeredAt: '2026-11-22T10:00:05.000Z',
      traffic: { caller: '+4917655501234', destination: 'sip:dealer@example.invalid' },
    }),
    START + 65_400,
  );
  t.match(traffic, {
    id: 'rec-1',
    caller: '+4917655501234',
    destination: 'sip:dealer@example.invalid',
    billableSeconds: '61',
    outcome: 'answered',
    endedAt: '2026-11-22T10:01:05.400Z',
  });
  const withheld = entry({ traffic: { caller: '+4917655501234' } });
  withheld.record.callerWithheld = '1';
  t.equal(orphanRecords(withheld, START + 1000).traffic?.caller, '', 'withheld: never copied');
  t.equal(orphanRecords(withheld, START + 1000).traffic?.destination, '', 'unanswered: none');
});
