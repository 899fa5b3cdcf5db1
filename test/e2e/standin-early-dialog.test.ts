// Requests from the caller inside the early dialog of its INVITE (after a provisional with a To
// tag, before the final answer), as drachtio-server treats them (test/standin/uas-early.ts): a
// caller on a raw socket, an srf app holding the INVITE. Runs on the stand-in and, with
// TEST_DRACHTIO_BIN, on the real drachtio-server.
import t, { type Test } from 'tap';
import { inDialog } from '../helpers/raw-peer.js';
import { SDP, type SrfRequest, type SrfResponse } from '../helpers/srf-app.js';
import { heldInvite, respond, toApp } from '../helpers/standin-bed.js';
import { waitFor } from '../helpers/wait.js';

type Early = { req: SrfRequest; res: SrfResponse };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const answerTo = (cseq: string) => (m: string) =>
  m.startsWith('SIP/2.0 ') && new RegExp(`^CSeq: ${cseq}\\r?$`, 'm').test(m);
/** The INVITE's final answer (the 183 the caller already has is not it). */
const inviteEnd = (m: string) => /^SIP\/2\.0 [2-6]/.test(m) && answerTo('1 INVITE')(m);

/** A caller's INVITE that the app answers 183 at once; the test has the early dialog. */
async function early(t: Test, name: string, onUpdate?: (u: Early) => void) {
  const held = await heldInvite(t, name, [], {}, (req, res) => {
    if (onUpdate) req.on('update', (q, s) => onUpdate({ req: q, res: s }));
    res.send(183, { body: SDP, headers: { Contact: '<sip:app@127.0.0.1>' } });
  });
  const { peer, port } = held;
  const progress = await peer.next((m) => m.startsWith('SIP/2.0 183'), 'the 183');
  const send = (method: string, cseq: number, body = '') =>
    peer.send(
      inDialog(method, peer, progress, cseq, `z9hG4bK-${name}-${cseq}`).replace(
        /Content-Length: 0\n\n$/,
        body
          ? `Content-Type: application/sdp\nContent-Length: ${body.length}\n\n${body}`
          : 'Content-Length: 0\n\n',
      ),
      port,
    );
  return {
    ...held,
    send,
    answer: (status: number) => respond(held.res, status, { body: SDP }),
  };
}

t.test(
  "an UPDATE goes up to the app holding the INVITE, under the INVITE's ids; its answer reaches the caller; a second one meanwhile gets 500",
  async (t) => {
    const updates: Early[] = [];
    const { standin, peer, req, send, answer } = await early(t, 'eu-up', (u) => updates.push(u));
    send('UPDATE', 2, SDP);
    await waitFor(() => updates[0], 3000, 'the UPDATE at the app');
    const frame = toApp(standin.trace, 'sip').find((f) => f.sip.startsWith('UPDATE'));
    t.equal(frame?.tokens[8], req.stackTxnId, "under the INVITE's txnId");
    t.equal(frame?.tokens[9], 'eu-up@127.0.0.1;from-tag=r1', "and the INVITE's dialog id");
    send('UPDATE', 3, SDP);
    t.match(
      await peer.next(answerTo('3 UPDATE'), 'the answer to the second'),
      /^SIP\/2\.0 500 /,
      "the server's own 500 to the second",
    );
    t.equal(updates.length, 1, 'the second never reached the app');
    updates[0]?.res.send(488);
    t.match(
      await peer.next(answerTo('2 UPDATE'), "the app's answer"),
      /^SIP\/2\.0 488 /,
      "the app's 488 at the caller",
    );
    t.equal((await answer(200)).status, 200, 'the INVITE is still the app to answer');
    t.match(await peer.next(inviteEnd, 'the 200'), /^SIP\/2\.0 200 /, 'the call is answered');
  },
);

t.test('without a listener srf answers the UPDATE 500 with Retry-After', async (t) => {
  const { peer, send } = await early(t, 'eu-none');
  send('UPDATE', 2);
  const refused = await peer.next(answerTo('2 UPDATE'), 'the answer');
  t.match(refused, /^SIP\/2\.0 500 /, 'srf refuses it');
  t.match(refused, /^Retry-After: \d+/m, 'for now');
});

t.test(
  "a BYE gets 481 and ends the INVITE with the server's 500; the app, never told, is refused its answer",
  async (t) => {
    const { standin, peer, send, answer } = await early(t, 'eu-bye');
    send('BYE', 2);
    t.match(
      await peer.next(answerTo('2 BYE'), 'the BYE answered'),
      /^SIP\/2\.0 481 /,
      'the BYE gets 481',
    );
    t.match(await peer.next(inviteEnd, "the INVITE's end"), /^SIP\/2\.0 500 Internal Server Error/);
    await sleep(200);
    t.notOk(
      toApp(standin.trace, 'sip').some((f) => /^(BYE|CANCEL)/.test(f.sip)),
      'nothing tells the app',
    );
    await t.rejects(answer(200), /unknown transaction/, "the app's 200 is refused");
  },
);

t.test('a re-INVITE gets 100 Trying and nothing more; the INVITE goes on', async (t) => {
  const { standin, peer, send, answer } = await early(t, 'eu-reinvite');
  send('INVITE', 2, SDP);
  t.match(
    await peer.next(answerTo('2 INVITE'), 'the 100'),
    /^SIP\/2\.0 100 /,
    'the re-INVITE gets 100',
  );
  await sleep(500);
  t.equal(peer.received.filter(answerTo('2 INVITE')).length, 1, 'no final answer');
  t.equal(
    toApp(standin.trace, 'sip').filter((f) => f.sip.startsWith('INVITE')).length,
    1,
    'the app got the first INVITE only',
  );
  t.equal((await answer(200)).status, 200);
  t.match(await peer.next(inviteEnd, 'the 200'), /^SIP\/2\.0 200 /, 'the call is answered');
});
