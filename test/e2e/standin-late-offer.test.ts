// Late offer (third-party call control), compared with the real transcript late-offer.txt: an
// INVITE without SDP on both legs, the dealer's offer in its 200, the caller's answer in its
// ACK. While the app has not ACKed the dealer's 200, retransmissions of it are absorbed.
import t from 'tap';
import { peerResponse, UdpPeer } from '../helpers/raw-peer.js';
import { runSipp, startSipp } from '../helpers/sipp.js';
import { SDP } from '../helpers/srf-app.js';
import { bridge, datagrams, fromApp, replyTo, standUp, toApp } from '../helpers/standin-bed.js';
import { waitFor } from '../helpers/wait.js';

const KEYS = { caller: '+4930111222333', called: '+4930100' };
const lf = (text: string) => text.replace(/\r\n/g, '\n');

t.test('late offer through createB2BUA: offer in the 200, answer in the ACK', async (t) => {
  const { standin, app } = await standUp(t);
  const dealer = await startSipp({ scenario: 'standin-uas-offer-in-200-expect-ack-sdp.xml' });
  app.invite(async (req, res) => {
    // an empty localSdpB is drachtio-srf's third-party call control path
    await bridge(app, req, res, `sip:d@127.0.0.1:${dealer.port}`);
  });
  const caller = await runSipp({
    scenario: 'standin-uac-late-offer-answer-in-ack-caller-bye.xml',
    remote: standin.sipAddress,
    keys: KEYS,
  });
  const dealt = await dealer.done;
  t.equal(caller.exitCode, 0, `caller got the offer and hung up: ${caller.errors}`);
  t.equal(
    dealt.exitCode,
    0,
    `dealer got an INVITE without SDP and an ACK with SDP: ${dealt.errors}`,
  );

  const trace = standin.trace;
  const port = standin.sipAddress.port;
  const up = toApp(trace, 'sip');
  const inviteA = up.find((f) => f.sip.startsWith('INVITE'));
  const aDialog = inviteA?.sip && `${/^Call-ID: (.*)$/m.exec(inviteA.sip)?.[1]};from-tag=`;

  const inviteB = replyTo(trace, /^INVITE sip:d@/);
  t.match(inviteB?.sip ?? '', /^Content-Length: 0$/m, 'B INVITE goes out without a body');
  t.notMatch(inviteB?.sip ?? '', /^Content-Type:/m, 'and without Content-Type');
  const okB = up.find(
    (f) => f.sip.startsWith('SIP/2.0 200') && f.tokens[8] === inviteB?.tokens[10],
  );
  const bDialog = okB?.tokens[9] ?? '';
  t.match(bDialog, /;from-tag=/, 'the dealer 200 goes up with the B dialogId');

  const okA = replyTo(trace, 'SIP/2.0 200 OK\r\n');
  const offer = okB?.sip.slice(okB.sip.indexOf('\r\n\r\n') + 4) ?? '';
  t.match(offer, /^m=audio \d+ RTP\/AVP 0 8/m);
  t.equal(okA?.sip.slice(okA.sip.indexOf('\r\n\r\n') + 4), offer, 'the caller gets the offer');
  t.match(okA?.sip ?? '', /^Content-Type: application\/sdp$/m, 'Content-Type added by the server');
  t.match(okA?.sip ?? '', new RegExp(`^Contact: <sip:127\\.0\\.0\\.1:${port}>$`, 'm'));

  const ackA = up.find((f) => f.sip.startsWith('ACK'));
  t.equal(ackA?.tokens[4], '', 'caller ACK: empty protocol field');
  t.equal(ackA?.tokens[8], inviteA?.tokens[8], 'with the INVITE txnId');
  t.match(ackA?.tokens[9] ?? '', new RegExp(`^${aDialog?.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  t.match(ackA?.sip ?? '', /\r\n\r\nv=0\r\n/, 'and with the SDP answer');

  const appAck = fromApp(trace).find((f) => f.sip.startsWith('ACK'));
  t.equal(appAck?.tokens[3], bDialog, 'the app ACKs the B leg inside its dialog');
  const ackB = replyTo(trace, /^ACK /);
  t.match(
    ackB?.sip ?? '',
    new RegExp(`^ACK sip:127\\.0\\.0\\.1:${dealer.port};transport=UDP SIP/2\\.0\r\n`),
    'ACK to the remote Contact',
  );
  const inviteCseq = /^CSeq: (\d+) INVITE$/m.exec(inviteB?.sip ?? '')?.[1];
  t.match(ackB?.sip ?? '', new RegExp(`^CSeq: ${inviteCseq} ACK$`, 'm'), 'with the INVITE CSeq');
  t.match(ackB?.sip ?? '', /^Content-Type: application\/sdp$/m, 'Content-Type added to the ACK');
  const answer = ackA?.sip.slice(ackA.sip.indexOf('\r\n\r\n') + 4);
  t.equal(ackB?.sip.slice(ackB.sip.indexOf('\r\n\r\n') + 4), answer, 'carrying the caller answer');
  const received = dealt.messages.find(
    (m) => m.dir === 'received' && m.firstLine.startsWith('ACK'),
  );
  t.equal(lf(received?.text ?? '').trim(), lf(ackB?.sip ?? '').trim(), 'exactly as echoed');
});

t.test('retransmitted 200s are absorbed until the app ACKs, then ACKed again', async (t) => {
  const { standin, app } = await standUp(t);
  const peer = await UdpPeer.open(t);
  const call = app.createUAC(`sip:d@127.0.0.1:${peer.port}`, { noAck: true });
  const invite = await peer.next((m) => m.startsWith('INVITE'), 'INVITE');
  t.match(invite, /^Content-Length: 0\r\n/m, 'offerless INVITE');
  const ok = peerResponse(
    invite,
    '200 OK',
    [`Contact: <sip:127.0.0.1:${peer.port}>`, 'Content-Type: application/sdp'],
    SDP,
  );
  const port = standin.sipAddress.port;
  peer.send(ok, port);
  const offered = await call;
  t.equal(offered.sdp, SDP, 'the app has the offer');
  peer.send(ok, port);
  peer.send(ok, port);
  await waitFor(
    () => (datagrams(standin.trace, 'in').length >= 3 ? true : undefined),
    3000,
    'retransmissions in',
  );
  await new Promise((r) => setTimeout(r, 100));
  const oks = () => toApp(standin.trace, 'sip').filter((f) => f.sip.startsWith('SIP/2.0 200'));
  t.equal(oks().length, 1, 'the app saw the 200 once');
  t.notOk(
    peer.received.some((m) => m.startsWith('ACK')),
    'and nobody ACKed it yet',
  );

  const answer = SDP.replace('m=audio 40000', 'm=audio 40010');
  const dialog = await offered.ack(answer);
  t.match(dialog.id, /;from-tag=/);
  const ack = await peer.next((m) => m.startsWith('ACK'), 'ACK');
  t.match(ack, new RegExp(`^ACK sip:127\\.0\\.0\\.1:${peer.port} SIP/2\\.0\r\n`));
  t.match(ack, /^Content-Type: application\/sdp$/m, 'Content-Type added for the SDP answer');
  t.match(ack, new RegExp(`^CSeq: ${/^CSeq: (\d+)/m.exec(invite)?.[1]} ACK$`, 'm'));
  t.ok(ack.endsWith(answer), 'the answer is the ACK body');
  peer.send(ok, port);
  await waitFor(
    () => (peer.received.filter((m) => m.startsWith('ACK')).length >= 2 ? true : undefined),
    3000,
    'the ACK again',
  );
  t.equal(oks().length, 1, 'still one 200 at the app');
});
