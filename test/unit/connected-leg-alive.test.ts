/**
 * A leg's keepalive (an OPTIONS inside its dialog): 481 and 408, answered or made by drachtio when
 * nothing came, mean the far end no longer has the dialog (RFC 3261 12.2.1.2); any other answer,
 * an OPTIONS refused with 405 or 501 included, is a far end that is there. A transport error
 * drachtio's stack answers itself (503 for a closed port, 410 for a broken connection; no source
 * address) is a far end that is gone. An ended dialog or a lost drachtio connection asks nothing.
 * A request of ours inside the dialog answered 481 or 408 ends the leg; one answered 503 asks.
 */
import t from 'tap';
import { connectedLeg } from '../../src/sip/connected-leg.js';
import { InFlight } from '../../src/sip/in-flight.js';
import type { SrfDialog } from '../../src/sip/srf-types.js';
import { fakeDialog } from '../helpers/fake-dialog.js';

/**
 * A dialog whose OPTIONS get `status` from `source` ('' for drachtio's stack), or an srf
 * rejection carrying it; the methods it sent.
 */
function answering(
  status: number,
  how: 'response' | 'rejection' = 'response',
  source = '192.0.2.7',
) {
  const dialog = fakeDialog();
  const sent: string[] = [];
  (dialog as unknown as { request: SrfDialog['request'] }).request = async (opts) => {
    sent.push(opts.method);
    if (how === 'rejection') throw Object.assign(new Error(`${status}`), { status });
    return { status, source_address: source } as Awaited<ReturnType<SrfDialog['request']>>;
  };
  return { leg: connectedLeg(dialog, new InFlight()), sent, dialog };
}

t.test('481 and 408 are a far end without the dialog', async (t) => {
  for (const status of [481, 408]) {
    const { leg, sent } = answering(status);
    t.equal(await leg.alive(), false, `${status}`);
    t.same(sent, ['OPTIONS']);
  }
  t.equal(await answering(408, 'rejection').leg.alive(), false, 'a rejection with 408');
});

t.test('any other answer is a far end that is there', async (t) => {
  for (const status of [200, 405, 410, 501, 503])
    t.equal(await answering(status).leg.alive(), true, `${status} from the far end`);
  t.equal(await answering(500, 'response', '').leg.alive(), true, "the stack's own 500");
});

t.test("the stack's answer to a transport error is a far end that is gone", async (t) => {
  t.equal(await answering(503, 'response', '').leg.alive(), false, 'a closed port: 503');
  t.equal(await answering(410, 'response', '').leg.alive(), false, 'a broken connection: 410');
});

t.test('an ended dialog or a lost connection: nothing is asked', async (t) => {
  const ended = answering(481);
  (ended.dialog as unknown as { connected: boolean }).connected = false;
  t.equal(await ended.leg.alive(), true);
  t.same(ended.sent, []);
  const inFlight = new InFlight();
  const dialog = fakeDialog();
  (dialog as unknown as { request: () => never }).request = () => {
    throw new Error('must not be asked');
  };
  const leg = connectedLeg(dialog, inFlight);
  inFlight.drop(Date.now());
  t.equal(await leg.alive(), true);
});

/**
 * A leg whose INFO gets `info` and whose OPTIONS (the keepalive a 503 prompts) gets `options`
 * from `source`; resolves how the leg ended, or 'up' if it had not 50 ms after the answer.
 */
async function afterInfo(info: number, options = 200, source = '192.0.2.7') {
  const dialog = fakeDialog();
  const sent: string[] = [];
  (dialog as unknown as { request: SrfDialog['request'] }).request = async (opts) => {
    sent.push(opts.method);
    const status = opts.method === 'INFO' ? info : options;
    const from = opts.method === 'INFO' ? '192.0.2.7' : source;
    return {
      status,
      source_address: from,
      get: () => undefined,
    } as unknown as Awaited<ReturnType<SrfDialog['request']>>;
  };
  const leg = connectedLeg(dialog, new InFlight());
  const res = await leg.request({ method: 'INFO', body: 'Signal=1', contentType: 'text/plain' });
  const up = new Promise<'up'>((resolve) => setTimeout(() => resolve('up'), 50));
  const ended = await Promise.race([leg.ended, up]);
  return { status: res.status, ended, sent };
}

t.test('a request answered 481 or 408 ends the leg lost, after the answer', async (t) => {
  for (const status of [481, 408]) {
    const { status: answered, ended, sent } = await afterInfo(status);
    t.equal(answered, status, `the ${status} is handed back`);
    t.equal(ended, 'lost', `${status}: the dialog is gone`);
    t.same(sent, ['INFO'], 'nothing more is asked');
  }
});

t.test('a request answered 503 prompts a keepalive, which tells whose 503 it was', async (t) => {
  const stack = await afterInfo(503, 503, '');
  t.same(stack.sent, ['INFO', 'OPTIONS']);
  t.equal(stack.ended, 'lost', "drachtio's own 503 to the OPTIONS: gone");
  const farEnd = await afterInfo(503, 200);
  t.same(farEnd.sent, ['INFO', 'OPTIONS']);
  t.equal(farEnd.ended, 'up', 'the far end answered the OPTIONS: there');
});

t.test('other failures leave the leg up and ask nothing', async (t) => {
  for (const status of [488, 491, 500]) {
    const { ended, sent } = await afterInfo(status);
    t.equal(ended, 'up', `${status}`);
    t.same(sent, ['INFO']);
  }
});
