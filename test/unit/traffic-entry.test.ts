/** The traffic record: what billing keeps of a call, and what it must never keep. */
import t from 'tap';
import type { CallRecord } from '../../src/call/record.js';
import {
  billableSeconds,
  fromTrafficFields,
  toTrafficFields,
  trafficOf,
} from '../../src/records/traffic-entry.js';

const answered: CallRecord = {
  recordId: 'r-1',
  callId: 'c-1',
  nodeId: 'gw-1',
  dialplanVersion: 'v1',
  trackingNumber: '+493025550101',
  customerId: 'autohaus-mueller',
  source: 'mobile.de',
  outcome: 'answered',
  sipStatus: 200,
  destinationIndex: 0,
  destination: '+493012345678',
  attempts: [{ index: 0, status: 200, cause: 'answered' }],
  startedAt: '2026-12-02T10:00:00.000Z',
  answeredAt: '2026-12-02T10:00:04.000Z',
  endedAt: '2026-12-02T10:01:05.001Z',
  talkMs: 61_001,
  callerWithheld: false,
  callerNumber: '+4917612345678',
};

t.test('an answered call: caller, destination, times and seconds billed', async (t) => {
  t.same(trafficOf(answered), {
    id: 'r-1',
    trackingNumber: '+493025550101',
    customer: 'autohaus-mueller',
    caller: '+4917612345678',
    destination: '+493012345678',
    startedAt: '2026-12-02T10:00:00.000Z',
    answeredAt: '2026-12-02T10:00:04.000Z',
    endedAt: '2026-12-02T10:01:05.001Z',
    billableSeconds: '62',
    outcome: 'answered',
    node: 'gw-1',
  });
});

t.test(
  'a withheld caller (CLIR) is never copied, even when the carrier sent the number',
  async (t) => {
    t.equal(trafficOf({ ...answered, callerWithheld: true }).caller, '');
  },
);

t.test('an unanswered call bills nothing and reached no destination', async (t) => {
  const { answeredAt: _a, talkMs: _t, ...rest } = answered;
  const busy = trafficOf({ ...rest, outcome: 'busy', sipStatus: 486, destinationIndex: undefined });
  t.equal(busy.billableSeconds, '0');
  t.equal(busy.destination, '');
  t.equal(busy.answeredAt, '');
});

t.test('seconds billed: every started second counts, nothing for no talk', async (t) => {
  t.same([0, 1, 999, 1000, 1001].map(billableSeconds), [0, 1, 1, 1, 2]);
  t.equal(billableSeconds(undefined), 0);
});

t.test('fields round-trip; a field an entry lacks reads as empty', async (t) => {
  const record = trafficOf(answered);
  t.same(fromTrafficFields(toTrafficFields(record)), record);
  t.equal(fromTrafficFields(['id', 'x', 'unknown', 'y']).caller, '');
});
