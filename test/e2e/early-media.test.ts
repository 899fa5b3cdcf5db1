/**
 * Early media across failover, signalling only: every attempt's 183 reaches the caller with a
 * Contact (an early dialog needs one), and after a failover the caller gets the new dealer's
 * early media or its 180 (local ringback), never the old dealer's dead media alone.
 */
import t from 'tap';
import {
  CUSTOMERS,
  callThrough as call,
  dealerSipp as dealer,
  numbersYaml,
} from '../helpers/call-bed.js';
import { startGateway } from '../helpers/gateway.js';
import type { SippResult } from '../helpers/sipp.js';

/**
 * The provisionals the caller received, each once: a busy machine can make sipp retransmit its
 * INVITE, and the server transaction then repeats its latest provisional byte for byte (RFC 3261
 * 17.2.1), which is not a second 18x.
 */
function provisionals(c: SippResult) {
  const seen = new Set<string>();
  return c.messages.filter((m) => {
    if (m.dir !== 'received' || !/^SIP\/2\.0 18[03]/.test(m.firstLine) || seen.has(m.text))
      return false;
    seen.add(m.text);
    return true;
  });
}

t.test("after a failover the caller gets the new dealer's early media", async (t) => {
  const first = await dealer('uas-early-media-then-busy.xml');
  const second = await dealer('uas-early-media-then-answer.xml');
  const gw = await startGateway(t, {
    'customers.yaml': CUSTOMERS,
    'numbers.yaml': numbersYaml([{ port: first.port }, { port: second.port }]),
  });
  const c = await call(gw, 'uac-expect-early-media-then-200-caller-bye.xml');
  t.match(c, { exitCode: 0, counts: { successful: 1 } }, `caller: ${c.errors}`);
  t.match([await first.done, await second.done], [{ exitCode: 0 }, { exitCode: 0 }]);
  const early = provisionals(c).filter((m) => m.firstLine.startsWith('SIP/2.0 183'));
  t.equal(early.length, 2, 'one 183 per attempt');
  t.match(early[0]?.text, /^o=first /m, "the first dealer's early media");
  t.match(early[1]?.text, /^o=second /m, "then the second dealer's");
  for (const m of early)
    t.match(m.text, /^Contact: <sip:calltrack@127\.0\.0\.1:\d+>/m, 'with a Contact');
  t.match((await gw.records(1))[0], {
    outcome: 'answered',
    destinationIndex: 1,
    attempts: [{ cause: 'busy' }, { cause: 'answered' }],
  });
});

t.test('after a failover to a dealer that only rings, the caller gets its 180', async (t) => {
  const first = await dealer('uas-early-media-then-busy.xml');
  const second = await dealer('uas-answer-200.xml');
  const gw = await startGateway(t, {
    'customers.yaml': CUSTOMERS,
    'numbers.yaml': numbersYaml([{ port: first.port }, { port: second.port }]),
  });
  const c = await call(gw, 'uac-expect-early-media-then-200-caller-bye.xml');
  t.match(c, { exitCode: 0, counts: { successful: 1 } }, `caller: ${c.errors}`);
  const seen = provisionals(c).map((m) => m.firstLine.slice(0, 11));
  t.same(seen, ['SIP/2.0 183', 'SIP/2.0 180'], '183, then the 180');
  t.match(provisionals(c)[1]?.text, /^Contact: /m, 'the 180 has a Contact too');
});

t.test('a dealer sending its 183 reliably: PRACKed, relayed once, the call answered', async (t) => {
  const only = await dealer('uas-reliable-183-expect-prack-then-answer.xml');
  const gw = await startGateway(t, {
    'customers.yaml': CUSTOMERS,
    'numbers.yaml': numbersYaml([{ port: only.port }]),
  });
  const c = await call(gw, 'uac-expect-early-media-then-200-caller-bye.xml');
  t.match(c, { exitCode: 0, counts: { successful: 1 } }, `caller: ${c.errors}`);
  t.match(await only.done, { exitCode: 0 }, 'the dealer got its PRACK, its ACK and the BYE');
  const early = c.messages.filter(
    (m) => m.dir === 'received' && m.firstLine.startsWith('SIP/2.0 183'),
  );
  t.equal(early.length, 1, "the dealer's 183 relayed once, however often it was sent");
  t.match(early[0]?.text, /^o=reliable /m, "the dealer's early media");
  t.match((await gw.records(1))[0], { outcome: 'answered', attempts: [{ cause: 'answered' }] });
});
