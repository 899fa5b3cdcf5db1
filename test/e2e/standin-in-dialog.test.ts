// Requests inside an answered call, with a raw UDP peer as the caller: the app's own re-INVITE
// on the leg it answered; UPDATE, INFO, REFER and OPTIONS from the caller (as REFER in
// refer-from-dealer.txt: no 100, a fresh txnId, the dialogId, srf's 200 echoed without
// protocol); and the server as session refresher of that leg, re-INVITEing the caller itself.
import t from 'tap';
import { sessionTimers } from '../helpers/drachtio-peer.js';
import { inDialog, peerInvite, peerResponse, UdpPeer } from '../helpers/raw-peer.js';
import { SDP, type SrfDialog } from '../helpers/srf-app.js';
import {
  type Bed,
  fromApp,
  gapBetween,
  replyTo,
  routesTaken,
  standUp,
  toApp,
} from '../helpers/standin-bed.js';
import { waitFor } from '../helpers/wait.js';

const CALL_ID = 'dlg-call-1@127.0.0.1';
const DIALOG_ID = `${CALL_ID};from-tag=dlg1`;

/** The peer calls, the app answers with createUAS, the peer ACKs; resolves with the 200. */
async function answeredCall(
  { app, standin }: Bed,
  peer: UdpPeer,
  extra: string[] = [],
): Promise<{ ok: string; dialog: Promise<SrfDialog> }> {
  const port = standin.sipAddress.port;
  const dialog = new Promise<SrfDialog>((resolve) => {
    app.invite((req, res) => void app.createUAS(req, res, { localSdp: SDP }).then(resolve));
  });
  await routesTaken(standin.trace);
  peer.send(
    peerInvite(peer, port, { callId: CALL_ID, tag: 'dlg1', branch: 'z9hG4bK-dlg-1' }, extra),
    port,
  );
  const ok = await peer.next((m) => m.startsWith('SIP/2.0 200'), '200 to INVITE');
  peer.send(inDialog('ACK', peer, ok, 1, 'z9hG4bK-dlg-ack'), port);
  return { ok, dialog };
}

t.test('the app re-INVITEs the leg it answered; its ACK takes the re-INVITE CSeq', async (t) => {
  const bed = await standUp(t);
  const { standin } = bed;
  const peer = await UdpPeer.open(t);
  const port = standin.sipAddress.port;
  const { dialog } = await answeredCall(bed, peer);
  const modified = (await dialog).modify(SDP.replace('m=audio 40000', 'm=audio 40020'));
  const reinvite = await peer.next((m) => m.startsWith('INVITE sip:+4930111222333'), 're-INVITE');
  t.match(reinvite, /^CSeq: 2 INVITE$/m, 'the UAS side continues from the caller CSeq');
  peer.send(
    peerResponse(
      reinvite,
      '200 OK',
      [`Contact: <sip:+4930111222333@127.0.0.1:${peer.port}>`, 'Content-Type: application/sdp'],
      SDP,
    ),
    port,
  );
  t.equal(await modified, SDP, 'the app has the answer');
  const ack = await peer.next((m) => m.startsWith('ACK'), 'ACK of the re-INVITE');
  t.match(ack, /^CSeq: 2 ACK$/m);
  t.equal(replyTo(standin.trace, /^ACK /)?.tokens[3], 'OK', 'the ACK is not refused');
});

t.test('UPDATE, INFO, REFER and OPTIONS from the caller go up inside the dialog', async (t) => {
  const bed = await standUp(t);
  const { standin } = bed;
  const peer = await UdpPeer.open(t);
  const port = standin.sipAddress.port;
  const { ok } = await answeredCall(bed, peer);
  const methods = ['UPDATE', 'INFO', 'REFER', 'OPTIONS'];
  methods.forEach((method, i) => {
    peer.send(inDialog(method, peer, ok, i + 2, `z9hG4bK-dlg-${method}`), port);
  });
  await waitFor(
    () => (peer.received.filter((m) => / 200 OK\r\n/.test(m)).length >= 5 ? true : undefined),
    3000,
    'four answers',
  );
  const inviteTxn = toApp(standin.trace, 'sip').find((f) => f.sip.startsWith('INVITE'))?.tokens[8];
  for (const [i, method] of methods.entries()) {
    const answers = peer.received.filter((m) => m.includes(`\r\nCSeq: ${i + 2} ${method}\r\n`));
    t.same(
      answers.map((m) => m.split('\r\n')[0]),
      ['SIP/2.0 200 OK'],
      `${method}: no 100 Trying, srf answers 200`,
    );
    const up = toApp(standin.trace, 'sip').find((f) => f.sip.startsWith(method));
    t.equal(up?.tokens[9], DIALOG_ID, `${method} goes up with the dialogId`);
    t.not(up?.tokens[8], inviteTxn, 'and a txnId of its own');
    const echo = toApp(standin.trace, 'response').find((f) => {
      const sent = fromApp(standin.trace).find((g) => g.tokens[2] === up?.tokens[8]);
      return sent !== undefined && f.tokens[2] === sent.tokens[0];
    });
    t.equal(echo?.tokens[6], '', `the echo of the 200 to ${method} has no protocol`);
    t.equal(echo?.tokens[11], DIALOG_ID, 'and the dialogId');
  }
});

/**
 * The server refreshes every half interval, give or take its jitter: three refreshes take 1.5 s
 * on the stand-in, two to two and a half minutes on the real server (90 s sessions).
 */
const SESSION = sessionTimers();
const HALF_MS = SESSION.seconds * 500;

t.test(
  'the server refreshes a caller that asked refresher=uas, unseen by the app',
  { timeout: 3 * (HALF_MS + SESSION.jitterMs) + 30_000 },
  async (t) => {
    const bed = await standUp(t, SESSION.standin);
    const { standin } = bed;
    const peer = await UdpPeer.open(t);
    const port = standin.sipAddress.port;
    const ended: (string | undefined)[] = [];
    const se = `Session-Expires: ${SESSION.seconds}`;
    const { ok, dialog } = await answeredCall(bed, peer, [`${se};refresher=uas`]);
    (await dialog).on('destroy', (_msg, reason) => ended.push(reason));
    t.match(ok, new RegExp(`^${se};refresher=uas$`, 'm'), 'the 200 grants the offer');
    const nthInvite = (n: number) =>
      peer.next(
        (m) => m.startsWith('INVITE ') && m.includes(`\r\nCSeq: ${n} INVITE\r\n`),
        `refresh ${n}`,
        HALF_MS + SESSION.jitterMs + 3000,
      );

    const first = await nthInvite(2);
    const gap = gapBetween(standin.trace, /^SIP\/2\.0 200 OK\r\n/, /^INVITE /);
    t.ok(
      gap >= HALF_MS - SESSION.jitterMs - 10 && gap < HALF_MS + SESSION.jitterMs + 900,
      `half the interval after the 200 (${gap} ms)`,
    );
    t.match(
      first,
      new RegExp(`^INVITE sip:\\+4930111222333@127\\.0\\.0\\.1:${peer.port} SIP/2\\.0`),
    );
    t.match(first, new RegExp(`^${se};refresher=uac$`, 'm'));
    t.match(first, new RegExp(`^Min-SE: ${SESSION.minSE}$`, 'm'));
    t.match(first, new RegExp(`^Contact: <sip:127\\.0\\.0\\.1:${port}>$`, 'm'), 'the 200 Contact');
    t.ok(first.endsWith(SDP), 'offering the SDP the app answered with');
    peer.send(peerResponse(first, '491 Request Pending'), port);
    await peer.next((m) => m.startsWith('ACK') && m.includes('\r\nCSeq: 2 ACK\r\n'), 'ACK of 491');

    const second = await nthInvite(3);
    peer.send(
      peerResponse(
        second,
        '200 OK',
        [
          `Contact: <sip:+4930111222333@127.0.0.1:${peer.port}>`,
          `${se};refresher=uac`,
          'Content-Type: application/sdp',
        ],
        SDP,
      ),
      port,
    );
    const ack = await peer.next((m) => m.includes('\r\nCSeq: 3 ACK\r\n'), 'ACK of the 200');
    t.match(ack, new RegExp(`^ACK sip:\\+4930111222333@127\\.0\\.0\\.1:${peer.port} SIP/2\\.0`));

    const third = await nthInvite(4);
    peer.send(peerResponse(third, '488 Not Acceptable Here'), port);
    const bye = await peer.next((m) => m.startsWith('BYE'), 'BYE after a failed refresh');
    t.match(bye, /^Reason: SIP;cause=200;text="Session timer expired"$/m);
    t.match(bye, /^CSeq: 5 BYE$/m);
    await waitFor(() => ended[0], 3000, 'dialog end at the app');
    t.same(ended, ['Session timer expired']);
    const seen = toApp(standin.trace, 'sip').filter((f) => /^CSeq: [234] /m.test(f.sip));
    t.same(seen, [], 'the app saw none of the refreshes nor their answers');
  },
);
