// The app cancels its own INVITE before any provisional response came back. sofia does not put
// such a CANCEL on the wire (nta.c nta_outgoing_tcancel, `delay_sending = orq_status < 100`):
// the first provisional releases it, even a 100 Trying that never reaches the app; a final
// answer first means it is never sent. drachtio-server answers the app OK at once regardless.
import t from 'tap';
import { peerResponse, UdpPeer } from '../helpers/raw-peer.js';
import { SDP, type SrfRequest, sendSipFrame } from '../helpers/srf-app.js';
import { fromApp, replyTo, standUp, toApp } from '../helpers/standin-bed.js';
import { waitFor } from '../helpers/wait.js';

/** Starts an INVITE from the app to `peer` and cancels it as soon as the server sent it. */
function callAndCancel(app: Awaited<ReturnType<typeof standUp>>['app'], peer: UdpPeer) {
  const outcome: { status?: number } = {};
  let invite: SrfRequest | undefined;
  app
    .createUAC(
      `sip:d@127.0.0.1:${peer.port}`,
      { localSdp: SDP },
      {
        cbRequest: (_err: unknown, req: SrfRequest) => {
          invite = req;
          req.cancel();
        },
      },
    )
    .catch((err: { status?: number }) => {
      outcome.status = err.status;
    });
  return { outcome, invite: () => invite };
}

const inviteLines = (peer: UdpPeer) => peer.firstLines().filter((l) => l.startsWith('INVITE'));

t.test(
  'a CANCEL asked for before any provisional goes out with the first 100 Trying',
  async (t) => {
    const { standin, app } = await standUp(t);
    const peer = await UdpPeer.open(t);
    const { outcome } = callAndCancel(app, peer);
    const invite = await peer.next((m) => m.startsWith('INVITE'), 'INVITE');
    const reply = await waitFor(() => replyTo(standin.trace, /^CANCEL /), 3000, 'CANCEL echo');
    t.equal(reply.tokens[3], 'OK', 'the app is answered OK at once');
    t.match(reply.sip, /^CANCEL sip:d@127\.0\.0\.1:\d+ SIP\/2\.0\r\n/, 'with the CANCEL text');
    // the first retransmission comes after 1 s whatever T1 (client-txn.ts)
    await waitFor(
      () => (inviteLines(peer).length >= 2 ? true : undefined),
      3000,
      'a retransmission',
    );
    t.notOk(
      peer.firstLines().some((l) => l.startsWith('CANCEL')),
      'no CANCEL on the wire while the INVITE is unanswered; the INVITE is still retransmitted',
    );

    const port = standin.sipAddress.port;
    peer.send(peerResponse(invite, '100 Trying'), port);
    const cancel = await peer.next((m) => m.startsWith('CANCEL'), 'CANCEL after the 100');
    const branch = (text: string) => /branch=([^;\s]+)/.exec(text)?.[1];
    t.equal(branch(cancel), branch(invite), 'the CANCEL reuses the INVITE branch');
    t.match(cancel, /^CSeq: \d+ CANCEL$/m);
    peer.send(peerResponse(cancel, '200 OK'), port);
    peer.send(peerResponse(invite, '487 Request Terminated'), port);
    await peer.next((m) => m.startsWith('ACK'), 'ACK for the 487');
    await waitFor(() => outcome.status, 3000, 'createUAC to fail');
    t.equal(outcome.status, 487, 'the app sees the 487');
    const up = toApp(standin.trace, 'sip').map((f) => f.sip.split('\r\n')[0]);
    t.same(up, ['SIP/2.0 487 Request Terminated'], 'neither the 100 nor the 200 to CANCEL go up');
  },
);

t.test('a final answer before any provisional: the held CANCEL is never sent', async (t) => {
  const { standin, app } = await standUp(t);
  const peer = await UdpPeer.open(t);
  const { outcome } = callAndCancel(app, peer);
  const invite = await peer.next((m) => m.startsWith('INVITE'), 'INVITE');
  await waitFor(() => replyTo(standin.trace, /^CANCEL /), 3000, 'CANCEL echo');
  peer.send(peerResponse(invite, '486 Busy Here'), standin.sipAddress.port);
  await peer.next((m) => m.startsWith('ACK'), 'ACK for the 486');
  await waitFor(() => outcome.status, 3000, 'createUAC to fail');
  t.equal(outcome.status, 486);
  await new Promise((r) => setTimeout(r, 300));
  t.notOk(
    peer.firstLines().some((l) => l.startsWith('CANCEL')),
    'no CANCEL ever',
  );
});

t.test('a dealer that never answers: no CANCEL, the INVITE ends at timer B with 408', async (t) => {
  const { standin, app } = await standUp(t, { t1: 40, t2: 320 });
  const peer = await UdpPeer.open(t);
  const { outcome, invite } = callAndCancel(app, peer);
  await waitFor(() => replyTo(standin.trace, /^CANCEL /), 3000, 'CANCEL echo');
  // a second CANCEL for the same INVITE: sofia refuses an INVITE already cancelled
  sendSipFrame(app, `CANCEL sip:d@127.0.0.1:${peer.port} SIP/2.0\r\n\r\n`, {
    stackTxnId: invite()?.stackTxnId ?? '',
  });
  const second = await waitFor(
    () =>
      toApp(standin.trace, 'response').find(
        (f) =>
          f.tokens[2] ===
          fromApp(standin.trace)
            .filter((g) => g.sip.startsWith('CANCEL'))
            .at(1)?.tokens[0],
      ),
    3000,
    'reply to the second CANCEL',
  );
  t.equal(
    second.payload.split('|').slice(3).join('|'),
    `NOK|internal server error canceling transaction id: ${invite()?.stackTxnId}`,
  );
  const started = Date.now();
  await waitFor(() => outcome.status, 15_000, 'createUAC to fail');
  t.equal(outcome.status, 408, 'the app gets the internal 408 of timer B');
  t.ok(Date.now() - started < 64 * 40 + 500, 'at 64×T1');
  // at 0 and 1 s; the next would be at 3 s, after timer B
  t.equal(inviteLines(peer).length, 2, 'INVITE sent, then retransmitted once');
  t.notOk(
    peer.firstLines().some((l) => l.startsWith('CANCEL') || l.startsWith('ACK')),
    'neither a CANCEL nor an ACK reached the dealer',
  );
});
