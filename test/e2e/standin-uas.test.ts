// Incoming INVITE answered by createUAS, ACK and BYE from the caller (sipp as caller; a raw UDP
// peer where the test must time the ACK: a second final answer before and after it).
import t, { type Test } from 'tap';
import { inDialog, peerInvite, UdpPeer } from '../helpers/raw-peer.js';
import { runSipp } from '../helpers/sipp.js';
import { SDP, type SrfDialog, sendSipFrame } from '../helpers/srf-app.js';
import {
  ACK_TIMEOUT_MS,
  datagrams,
  fromApp,
  replyTo,
  routesTaken,
  standUp,
  toApp,
  unacknowledgedAnswer,
} from '../helpers/standin-bed.js';
import { waitFor } from '../helpers/wait.js';

t.test('createUAS answers, caller ACKs and hangs up', async (t) => {
  const { standin, app } = await standUp(t);
  const destroyed: string[] = [];
  let dialog: SrfDialog | undefined;
  app.invite(async (req, res) => {
    dialog = await app.createUAS(req, res, { localSdp: SDP });
    dialog.on('destroy', () => destroyed.push(dialog?.id ?? ''));
  });

  const caller = await runSipp({
    scenario: 'uac-expect-200-caller-bye.xml',
    remote: standin.sipAddress,
    keys: { caller: '+4930111222333', called: '+4930100' },
  });
  t.equal(caller.exitCode, 0, `sipp caller succeeded: ${caller.errors}`);
  t.equal(caller.counts.successful, 1);
  const received = caller.messages.filter((m) => m.dir === 'received').map((m) => m.firstLine);
  t.same(
    received,
    ['SIP/2.0 100 Trying', 'SIP/2.0 200 OK', 'SIP/2.0 200 OK'],
    'caller saw 100, 200, 200 to BYE',
  );
  await waitFor(() => destroyed.length > 0 || undefined, 15_000, 'dialog destroyed');

  const trace = standin.trace;
  const callId = caller.messages[0]?.text.match(/Call-ID: (.*)/)?.[1]?.trim() ?? '';
  const expectedDialogId = `${callId};from-tag=${caller.messages[0]?.text.match(/tag=(\S+)/)?.[1]}`;
  t.equal(dialog?.id, expectedDialogId, 'dialogId is <Call-ID>;from-tag=<caller tag>');

  const up = toApp(trace, 'sip');
  t.notOk(
    up.some((f) => f.sip.startsWith('SIP/2.0 100')),
    '100 Trying never goes up',
  );
  const invite = up.find((f) => f.sip.startsWith('INVITE'));
  t.ok(invite, 'INVITE went up');
  t.equal(invite?.tokens.length, 13, 'new INVITE frame carries local address and port');
  t.equal(invite?.tokens[2], 'network');
  t.equal(invite?.tokens[9], '', 'no dialogId on a new INVITE');
  t.same(invite?.tokens.slice(10, 12), ['127.0.0.1', String(standin.sipAddress.port)]);
  t.match(invite?.sip ?? '', /;rport=\d+/, 'top Via got rport');

  const echo = replyTo(trace, 'SIP/2.0 200');
  t.equal(echo?.tokens[3], 'OK');
  t.equal(echo?.tokens[4], 'application');
  t.equal(echo?.tokens[11], expectedDialogId, 'echo of the 200 carries the dialogId');
  t.equal(echo?.tokens[13], 'Msg sent:');
  t.match(
    echo?.sip ?? '',
    /^Contact: <sip:127\.0\.0\.1:\d+>$/m,
    'server added its Contact to the 200',
  );
  t.match(echo?.sip ?? '', /^To: .*;tag=\S+$/m, 'server added a To tag');

  const ack = up.find((f) => f.sip.startsWith('ACK'));
  t.equal(ack?.tokens[8], invite?.tokens[8], 'ACK goes up with the INVITE transaction id');
  t.equal(ack?.tokens[9], expectedDialogId, 'ACK goes up with the dialogId');
  t.equal(ack?.tokens[4], '', 'ACK meta has no protocol, as in the real server');
  const bye = up.find((f) => f.sip.startsWith('BYE'));
  t.equal(bye?.tokens[9], expectedDialogId, 'BYE from the caller goes up inside the dialog');
  // the server echoes the app's 200 to the BYE after sending it (the real one on another
  // thread): it and the datagram may come after the dialog is gone on the app's side
  const byeEcho = await waitFor(
    () => replyTo(trace, /^SIP\/2\.0 200 OK\r\n(?:.*\r\n)*cseq: 2 BYE/i),
    3000,
    "the echo of the BYE's 200",
  );
  t.same(
    [byeEcho?.tokens[4], byeEcho?.tokens[5], byeEcho?.tokens[11]],
    ['application', byeEcho?.tokens[5], ''],
  );
  t.equal(byeEcho?.tokens[6], '', 'final non-INVITE response echo has no protocol');

  const oks = () => datagrams(trace, 'out').filter((d) => d.firstLine.startsWith('SIP/2.0 200'));
  await waitFor(() => oks().length >= 2 || undefined, 3000, "the BYE's 200 on the wire");
  t.same(oks().length, 2, 'stand-in sent 200 to INVITE and BYE once each');
  t.equal(fromApp(trace).filter((f) => f.sip.startsWith('SIP/2.0 200')).length, 2);
});

/** When drachtio's timer G sends the 200: 0, then 500 ms doubling up to 4 s, until timer H. */
function resendsBefore(timeoutMs: number): number[] {
  const at = [0];
  for (let gap = 500; (at.at(-1) ?? 0) + gap < timeoutMs; gap = Math.min(gap * 2, 4000))
    at.push((at.at(-1) ?? 0) + gap);
  return at;
}

t.test(
  'a 200 without ACK is retransmitted, then the server BYEs and tells the app',
  { timeout: ACK_TIMEOUT_MS + 30_000 },
  async (t) => {
    const expected = resendsBefore(ACK_TIMEOUT_MS);
    const { standin, caller, reason } = await unacknowledgedAnswer(t);
    t.equal(reason, 'ACK timeout', 'app told with the Reason of the BYE the server sent');
    const sentAt = standin.trace.flatMap((r) =>
      r.kind === 'sip' && r.dir === 'out' && r.firstLine === 'SIP/2.0 200 OK'
        ? [Date.parse(r.ts)]
        : [],
    );
    t.equal(
      sentAt.length,
      expected.length,
      `the 200 sent at ${expected.join(', ')} ms, then the BYE (${sentAt.map((at) => at - (sentAt[0] ?? 0)).join(', ')})`,
    );
    const [first = 0, second = 0] = sentAt;
    t.ok(
      second - first >= 400,
      `first again after drachtio's 500 ms, not T1 (${second - first} ms)`,
    );
    const unsolicited = toApp(standin.trace, 'sip').find((f) => f.tokens[8] === 'unsolicited');
    t.equal(unsolicited?.tokens[2], 'application', 'unsolicited BYE has source application');
    t.match(unsolicited?.sip ?? '', /^BYE sip:\+4930111222333@127\.0\.0\.1:\d+ SIP\/2\.0/);
    const bye = caller.messages.find((m) => m.dir === 'received' && m.firstLine.startsWith('BYE'));
    t.match(bye?.text, /^Reason: SIP;cause=200;text="ACK timeout"$/m, 'caller got the BYE, why');
  },
);

t.test('app rejects with 404: echo with dialogId, ACK absorbed', async (t) => {
  const { standin, app } = await standUp(t);
  app.invite((_req, res) => res.send(404));
  const caller = await runSipp({
    scenario: 'uac-expect-404.xml',
    remote: standin.sipAddress,
    keys: { caller: '+4930111222333', called: '+4930999' },
  });
  t.equal(caller.exitCode, 0, `caller got 404 and ACKed: ${caller.errors}`);
  const echo = replyTo(standin.trace, 'SIP/2.0 404');
  t.equal(echo?.tokens[3], 'OK');
  t.match(
    echo?.tokens[11] ?? '',
    /;from-tag=/,
    'a failure to a new INVITE is echoed with the dialogId',
  );
  t.match(echo?.sip ?? '', /^To: .*;tag=\S+$/m);
  t.notMatch(echo?.sip ?? '', /^Contact:/m, 'no Contact on a failure');
  await waitFor(
    () => datagrams(standin.trace, 'in').find((d) => d.firstLine.startsWith('ACK')),
    3000,
    'ACK',
  );
  t.notOk(
    toApp(standin.trace, 'sip').some((f) => f.sip.startsWith('ACK')),
    'the ACK never reaches the app',
  );
});

/**
 * A caller on a raw socket whose INVITE the app answers with `first`, then again with 503, the
 * ACK (`acked`) between the two or not at all.
 */
async function answeredTwice(t: Test, first: 200 | 486, acked: boolean) {
  const { standin, app } = await standUp(t);
  const peer = await UdpPeer.open(t);
  let again: (() => void) | undefined;
  app.invite((req, res) => {
    res.send(first, first === 200 ? { body: SDP } : {});
    // the same transaction answered again, as a buggy app would (srf itself refuses it)
    again = () =>
      sendSipFrame(app, 'SIP/2.0 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n', {
        stackTxnId: req.stackTxnId,
      });
  });
  await routesTaken(standin.trace);
  const port = standin.sipAddress.port;
  const call = { callId: `twice-${first}-${acked}@127.0.0.1`, tag: 'b1', branch: 'z9hG4bK-twice' };
  peer.send(peerInvite(peer, port, call), port);
  const answer = await peer.next((m) => m.startsWith(`SIP/2.0 ${first}`), `the ${first}`);
  if (acked) {
    // the ACK to a 2xx is a transaction of its own; to a failure, the INVITE's
    const branch = first === 200 ? 'z9hG4bK-twice-ack' : call.branch;
    const ack = inDialog('ACK', peer, answer, 1, branch);
    peer.send(ack, port);
    await waitFor(
      () => datagrams(standin.trace, 'in').find((d) => d.firstLine.startsWith('ACK')),
      3000,
      'the ACK at the server',
    );
  }
  again?.();
  const second = await waitFor(() => replyTo(standin.trace, 'SIP/2.0 503'), 3000, 'the reply');
  await new Promise((r) => setTimeout(r, 200));
  t.notOk(
    datagrams(standin.trace, 'out').some((d) => d.firstLine.startsWith('SIP/2.0 503')),
    'nothing new on the wire',
  );
  return second;
}

for (const [first, reason] of [
  [200, 'OK'],
  [486, 'Busy Here'],
] as const) {
  t.test(
    `a second final answer while a ${first} waits for its ACK: the ${first} is echoed`,
    async (t) => {
      const second = await answeredTwice(t, first, false);
      t.equal(second.tokens[3], 'OK', 'OK …');
      t.match(
        second.sip,
        new RegExp(`^SIP/2\\.0 ${first} ${reason}`),
        `… echoing the ${first} that was sent`,
      );
      t.equal(second.tokens[11], '', 'without a dialogId');
    },
  );

  t.test(`a second final answer after the ${first} was ACKed: NOK`, async (t) => {
    const second = await answeredTwice(t, first, true);
    t.same(second.tokens.slice(3), ['NOK', 'Response not sent due to unknown transaction']);
  });
}
