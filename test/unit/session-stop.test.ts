/**
 * How a call is stopped: the first stop wins and names who ended the call, the abort signal
 * carries the CANCEL's Reason, a CANCEL is not a stop by the gateway, and a guarded step
 * rejects with Stopped once the gateway ends the call.
 */
import t from 'tap';
import {
  CALLER_CANCEL_REASON,
  CALLER_LOST_REASON,
  GATEWAY_REASON,
  SIGNALLING_LOST_REASON,
} from '../../src/call/cancel-reasons.js';
import { SessionStop, Stopped } from '../../src/call/session-stop.js';

t.test('the first stop wins: a drain then a lost connection stays a drain', async (t) => {
  const s = new SessionStop();
  s.stop('gateway');
  s.stop('signalling-lost');
  t.equal(s.stopped, 'gateway');
  t.equal(await s.stopping, 'gateway');
  t.ok(s.signal.aborted);
  t.equal(s.signal.reason, GATEWAY_REASON);
  t.notOk(s.cancelled);
});

t.test('a lost connection aborts with its own reason', async (t) => {
  const s = new SessionStop();
  s.stop('signalling-lost');
  t.equal(s.signal.reason, SIGNALLING_LOST_REASON);
});

t.test('a caller lost while the dealer rings: the CANCEL says so', async (t) => {
  const s = new SessionStop();
  s.stop('caller-lost');
  t.equal(s.stopped, 'caller-lost');
  t.equal(s.signal.reason, CALLER_LOST_REASON);
  t.match(CALLER_LOST_REASON, /^SIP;cause=408;/);
});

t.test("the caller's CANCEL aborts, but the gateway did not stop the call", async (t) => {
  const s = new SessionStop();
  s.cancel();
  t.ok(s.cancelled);
  t.equal(s.signal.reason, CALLER_CANCEL_REASON);
  t.equal(s.stopped, undefined);
  t.equal(await s.guard(Promise.resolve('answered')), 'answered', 'a guarded step still ends');
});

t.test('a guarded step that never ends rejects with Stopped once the gateway stops', async (t) => {
  const s = new SessionStop();
  const step = s.guard(new Promise(() => undefined));
  s.stop('gateway');
  const err = await step.catch((e: unknown) => e);
  t.ok(err instanceof Stopped, 'a Stopped');
  t.equal((err as Error).message, 'call ended by gateway');
  await t.rejects(
    s.guard(new Promise(() => undefined)),
    { message: 'call ended by gateway' },
    'a step begun after the stop too',
  );
});
