/**
 * A routed call's record fields are what `{ ...base, ...routed, afterHours }` made before they were
 * built by plain stores: every field (the fixture is `Required<CallBase>`, so a field added to
 * the type must be added here, and is then checked to be copied), and absent ones stay absent.
 */
import t from 'tap';
import type { AfterHours, CallBase } from '../../src/call/record.js';
import { type Routed, routedRecord } from '../../src/call/routed-record.js';

const BASE: Required<CallBase> = {
  recordId: 'rec-1',
  callId: '1-1@127.0.0.1',
  nodeId: 'gw-a',
  dialplanVersion: 'v1',
  startedAt: '2026-12-03T10:00:00.000Z',
  callerWithheld: false,
  callerNumber: '+4917612345678',
};
const ROUTED: Required<Routed> = {
  trackingNumber: '+493025550101',
  customerId: 'autohaus-berlin',
  source: 'mobile.de',
};
const CLOSED: AfterHours = { why: 'hours', action: 'destinations' };

t.test('every field of the base and of routing is copied, the closing too', async (t) => {
  t.strictSame(routedRecord(BASE, ROUTED, CLOSED), { ...BASE, ...ROUTED, afterHours: CLOSED });
});

t.test('a withheld caller and an open number leave no key behind', async (t) => {
  const { callerNumber: _, ...withheld } = { ...BASE, callerWithheld: true };
  const r = routedRecord(withheld, ROUTED, undefined);
  t.strictSame(r, { ...withheld, ...ROUTED });
  t.notOk('callerNumber' in r);
  t.notOk('afterHours' in r);
});
