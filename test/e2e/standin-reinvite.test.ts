// A re-INVITE relayed between the legs by the app, compared field by field with the real
// transcript reinvite-hold-relay.txt: 100 Trying from the server, a new txnId with the A dialogId,
// the relayed INVITE filled in by the server, the app's 200 sent once, the caller's ACK up with an
// empty protocol field. Both peers also move their Contact in the re-INVITE exchange; like sofia,
// the stand-in keeps each dialog's original remote target (no RFC 3261 12.2 target refresh).
import t from 'tap';
import { runSipp, startSipp } from '../helpers/sipp.js';
import type { SrfDialog } from '../helpers/srf-app.js';
import { datagrams, fromApp, replyTo, standUp, toApp } from '../helpers/standin-bed.js';
import { waitFor } from '../helpers/wait.js';

const KEYS = { caller: '+4930111222333', called: '+4930100' };

t.test('re-INVITE from the caller relayed to the dealer and back', async (t) => {
  const { standin, app } = await standUp(t);
  const dealer = await startSipp({ scenario: 'standin-uas-hold-answer-recvonly-then-bye.xml' });
  app.invite(async (req, res) => {
    const { uas, uac } = await app.createB2BUA(req, res, `sip:d@127.0.0.1:${dealer.port}`, {
      localSdpB: req.body,
    });
    const relay = (from: SrfDialog, to: SrfDialog) => {
      from.on('modify', (req, res) => {
        to.modify(req.body).then(
          (sdp) => res.send(200, { body: sdp }),
          () => res.send(488),
        );
      });
      from.on('destroy', () => void to.destroy().catch(() => {}));
    };
    relay(uas, uac);
    relay(uac, uas);
  });
  const caller = await runSipp({
    scenario: 'standin-uac-hold-expect-recvonly-await-bye.xml',
    remote: standin.sipAddress,
    keys: KEYS,
  });
  const dealt = await dealer.done;
  t.equal(caller.exitCode, 0, `caller held, got recvonly and the BYE: ${caller.errors}`);
  t.equal(dealt.exitCode, 0, `dealer answered the hold and hung up: ${dealt.errors}`);

  const trace = standin.trace;
  const port = String(standin.sipAddress.port);
  const up = toApp(trace, 'sip');
  const invite = up.find((f) => /^CSeq: 1 INVITE$/m.test(f.sip) && f.sip.startsWith('INVITE'));
  const reinvite = up.find((f) => /^CSeq: 2 INVITE$/m.test(f.sip));
  const aDialog = `${/^Call-ID: (.*)$/m.exec(invite?.sip ?? '')?.[1]};from-tag=${
    /^From: .*;tag=(\S+)$/m.exec(invite?.sip ?? '')?.[1]
  }`;
  const toReinvite = caller.messages.filter(
    (m) => m.dir === 'received' && /^CSeq: 2 INVITE$/m.test(m.text),
  );
  t.same(
    toReinvite.map((m) => m.firstLine),
    ['SIP/2.0 100 Trying', 'SIP/2.0 200 OK'],
    'the server answers the re-INVITE 100 Trying itself',
  );
  t.equal(reinvite?.tokens[2], 'network');
  t.equal(reinvite?.tokens[4], 'udp');
  t.equal(reinvite?.tokens.length, 11, 'no local address: it is inside a dialog');
  t.not(reinvite?.tokens[8], invite?.tokens[8], 'a new txnId');
  t.equal(reinvite?.tokens[9], aDialog, 'the A dialogId');

  // the app relays it: `sip||<B dialogId>` + INVITE sip:placeholder, Contact and SDP
  const relayed = fromApp(trace).find((f) => f.sip.startsWith('INVITE sip:placeholder'));
  const bDialog = relayed?.tokens[3] ?? '';
  t.match(bDialog, /;from-tag=/);
  const inviteB = replyTo(trace, /^INVITE sip:d@/)?.sip ?? '';
  const seqB = Number(/^CSeq: (\d+) INVITE$/m.exec(inviteB)?.[1]);
  const sent = replyTo(trace, 'INVITE sip:placeholder');
  t.equal(sent?.tokens[3], 'OK');
  t.same(sent?.tokens.slice(4, 9), [
    'application',
    String(Buffer.byteLength(sent?.sip ?? '')),
    'udp',
    '127.0.0.1',
    port,
  ]);
  const text = sent?.sip ?? '';
  t.match(
    text,
    new RegExp(`^INVITE sip:127\\.0\\.0\\.1:${dealer.port};transport=UDP SIP/2\\.0\r\n`),
    'Request-URI: the dealer Contact',
  );
  t.match(text, new RegExp(`^CSeq: ${seqB + 1} INVITE$`, 'm'), 'B-leg CSeq + 1');
  t.match(text, /^From: <sip:\+4930111222333@127\.0\.0\.1:\d+>;tag=\w+$/m);
  t.match(text, new RegExp(`^To: <sip:d@127\\.0\\.0\\.1:${dealer.port}>;tag=\\S+$`, 'm'));
  t.match(text, /^Content-Type: application\/sdp$/m, 'Content-Type added');
  t.match(text, /^a=sendonly$/m);
  const dealerOk = up.find((f) => f.tokens[8] === sent?.tokens[10]);
  t.equal(dealerOk?.tokens[9], bDialog, 'the dealer 200 goes up with the B dialogId');
  t.match(dealerOk?.sip ?? '', /^Contact: <sip:moved@/m, 'and its new Contact');

  const acks = fromApp(trace).filter((f) => f.sip.startsWith('ACK'));
  t.equal(acks.length, 2, 'the app ACKed the initial and the relayed INVITE');
  const reAck = toApp(trace, 'response').find((f) => f.tokens[2] === acks[1]?.tokens[0]);
  t.match(
    reAck?.sip ?? '',
    new RegExp(`^ACK sip:127\\.0\\.0\\.1:${dealer.port};transport=UDP SIP/2\\.0\r\n`),
    'the ACK still goes to the original dealer Contact (no target refresh from a 2xx)',
  );
  t.match(reAck?.sip ?? '', new RegExp(`^CSeq: ${seqB + 1} ACK$`, 'm'), 'with the re-INVITE CSeq');

  const answered = replyTo(trace, /^SIP\/2\.0 200 OK\r\n(?:.*\r\n)*cseq: 2 INVITE/i);
  t.equal(answered?.tokens[3], 'OK');
  t.same(answered?.tokens.slice(4, 7), [
    'application',
    String(Buffer.byteLength(answered?.sip ?? '')),
    'udp',
  ]);
  t.equal(answered?.tokens[10], reinvite?.tokens[8], 'echo: the re-INVITE txnId');
  t.equal(answered?.tokens[11], aDialog, 'and the A dialogId');
  t.equal(answered?.tokens[13], 'Msg sent:');
  t.match(answered?.sip ?? '', new RegExp(`^Contact: <sip:127\\.0\\.0\\.1:${port}>$`, 'm'));
  t.match(answered?.sip ?? '', /^a=recvonly$/m);
  await new Promise((r) => setTimeout(r, 300));
  const oks = datagrams(trace, 'out').filter(
    (d) => d.firstLine === 'SIP/2.0 200 OK' && /^CSeq: 2 INVITE$/m.test(d.text),
  );
  t.equal(oks.length, 1, 'the 200 to a re-INVITE is sent once');

  const callerAck = up.find((f) => /^CSeq: 2 ACK$/m.test(f.sip));
  t.equal(callerAck?.tokens[4], '', 'the caller ACK comes up with an empty protocol field');
  t.not(callerAck?.tokens[8], reinvite?.tokens[8], 'a fresh txnId');
  t.equal(callerAck?.tokens[9], aDialog);

  const byeToCaller = await waitFor(() => replyTo(trace, 'BYE sip:placeholder'), 3000, 'BYE');
  const byes = fromApp(trace).filter((f) => f.sip.startsWith('BYE'));
  t.equal(byes.length, 1, 'the dealer hung up; the app BYEs the caller');
  t.match(
    byeToCaller.sip,
    /^BYE sip:\+4930111222333@127\.0\.0\.1:\d+ SIP\/2\.0\r\n/,
    'to the caller original Contact, not the one of its re-INVITE (no target refresh)',
  );
  t.match(byeToCaller.sip, /^CSeq: 2 BYE$/m, 'UAS-side CSeq continues from the INVITE');
});
