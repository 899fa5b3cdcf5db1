/**
 * InFlight.untilDropped: what was sent on the drachtio connection settles when it drops
 * (drachtio-srf forgets every callback of a closed socket), at once while it is down, and keeps
 * its own value or error when the answer comes first.
 */
import t from 'tap';
import { InFlight } from '../../src/sip/in-flight.js';

const never = new Promise<never>(() => undefined);

t.test('a send pending when the connection drops gets the drop value', async (t) => {
  const inFlight = new InFlight();
  const bye = inFlight.untilDropped(never, 'dropped');
  inFlight.drop(0);
  t.equal(await bye, 'dropped');
});

t.test(
  'while the connection is down: the drop value at once; after the reconnect, the answer',
  async (t) => {
    const inFlight = new InFlight();
    inFlight.drop(0);
    t.equal(await inFlight.untilDropped(never, 503), 503);
    inFlight.connected();
    t.equal(await inFlight.untilDropped(Promise.resolve(200), 503), 200);
  },
);

t.test('an answer or an error before the drop is kept; a later drop changes nothing', async (t) => {
  const inFlight = new InFlight();
  const answered = inFlight.untilDropped(Promise.resolve('200'), 'dropped');
  const failed = inFlight.untilDropped(Promise.reject(new Error('408')), 'dropped');
  t.equal(await answered, '200');
  await t.rejects(failed, /408/);
  inFlight.drop(0);
  t.equal(await answered, '200');
});
