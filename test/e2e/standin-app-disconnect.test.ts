// The app's connection dies mid-call (trace app-disconnect-mid-call.txt). The server sends
// nothing on SIP by itself; dialogs and transactions stay bound to the dead connection, so
// requests from the network inside them get 481 (a BYE also ends the dialog) and a new
// connection is told nothing. A new connection may still act on them by id: the server never
// checks who owns a dialog or transaction when an app sends (client.cpp processMessage), and
// answers (echo, responses) go to the sender.
import t, { type Test } from 'tap';
import { inDialog, peerInvite, UdpPeer } from '../helpers/raw-peer.js';
import { startSipp } from '../helpers/sipp.js';
import {
  connectApp,
  disconnectApp,
  newApp,
  SDP,
  type SrfApp,
  sendSipFrame,
} from '../helpers/srf-app.js';
import {
  bridge,
  frames,
  fromApp,
  replyTo,
  routesTaken,
  SECRET,
  standUp,
  toApp,
} from '../helpers/standin-bed.js';
import { waitFor } from '../helpers/wait.js';
import type { TraceRecord } from '../standin/index.js';

const KEYS = { caller: '+4930111222333', called: '+4930100' };

/** Connects a second app to the same stand-in and lets the first one's close settle first. */
async function replaceApp(
  t: Test,
  old: SrfApp,
  admin: { address: string; port: number },
): Promise<SrfApp> {
  disconnectApp(old);
  await new Promise((r) => setTimeout(r, 200));
  const app = newApp();
  t.teardown(() => disconnectApp(app));
  await connectApp(app, admin, SECRET);
  return app;
}

/** The `|` tokens of what the stand-in sent on one app connection. */
function sentOn(trace: readonly TraceRecord[], conn: number): string[][] {
  return frames(trace).flatMap((f) => (f.dir === 'out' && f.conn === conn ? [f.tokens] : []));
}

t.test('in-dialog requests after the app is gone get 481; a new app is told nothing', async (t) => {
  const { standin, app } = await standUp(t);
  app.invite((req, res) => void app.createUAS(req, res, { localSdp: SDP }).catch(() => {}));
  await routesTaken(standin.trace);
  const peer = await UdpPeer.open(t);
  const port = standin.sipAddress.port;
  const callId = 'gone-call-1@127.0.0.1';
  peer.send(peerInvite(peer, port, { callId, tag: 'gone1', branch: 'z9hG4bK-gone-1' }), port);
  const ok = await peer.next((m) => m.startsWith('SIP/2.0 200'), '200');
  peer.send(inDialog('ACK', peer, ok, 1, 'z9hG4bK-gone-ack'), port);
  await waitFor(
    () => toApp(standin.trace, 'sip').find((f) => f.sip.startsWith('ACK')),
    3000,
    'ACK',
  );
  const dialogId = `${callId};from-tag=gone1`;

  const app2 = await replaceApp(t, app, standin.adminAddress);
  const invites: string[] = [];
  app2.invite((req, res) => {
    invites.push(req.method);
    res.send(500);
  });
  await new Promise((r) => setTimeout(r, 100));

  const answers = (cseq: string) =>
    peer.received.filter((m) => new RegExp(`^CSeq: ${cseq}$`, 'm').test(m));
  const firstLines = (cseq: string) => answers(cseq).map((m) => m.split('\r\n')[0]);
  peer.send(inDialog('INVITE', peer, ok, 2, 'z9hG4bK-gone-2'), port);
  await waitFor(() => (answers('2 INVITE').length >= 2 ? true : undefined), 3000, '481');
  t.same(
    firstLines('2 INVITE').slice(0, 2),
    ['SIP/2.0 100 Trying', 'SIP/2.0 481 Call/Transaction Does Not Exist'],
    're-INVITE: 100 Trying first, then 481 from the server',
  );
  peer.send(inDialog('ACK', peer, ok, 2, 'z9hG4bK-gone-2'), port);
  peer.send(inDialog('INFO', peer, ok, 3, 'z9hG4bK-gone-3'), port);
  await waitFor(() => answers('3 INFO')[0], 3000, 'answer to INFO');
  t.same(firstLines('3 INFO'), ['SIP/2.0 481 Call/Transaction Does Not Exist']);
  peer.send(inDialog('BYE', peer, ok, 4, 'z9hG4bK-gone-4'), port);
  await waitFor(() => answers('4 BYE')[0], 3000, 'answer to BYE');
  t.same(firstLines('4 BYE'), ['SIP/2.0 481 Call/Transaction Does Not Exist']);
  peer.send(inDialog('BYE', peer, ok, 5, 'z9hG4bK-gone-5'), port);
  await waitFor(() => answers('5 BYE')[0], 3000, 'answer to the second BYE');
  t.same(firstLines('5 BYE'), ['SIP/2.0 481 Call/Transaction Does Not Exist']);

  // the first BYE removed the dialog: the new app cannot use it any more
  const sent = await app2
    .request('sip:placeholder', { method: 'BYE', stackDialogId: dialogId })
    .then(
      () => 'sent',
      (err: unknown) => String(err),
    );
  t.match(sent, /unable to find dialog for dialog id provided/, 'the dialog is gone');
  t.same(invites, [], 'the new app received no request');
  const kinds = sentOn(standin.trace, 2).map((tokens) => tokens[1]);
  t.same([...new Set(kinds)], ['response'], 'connection 2 got replies only, no sip frame');
  const stale = await peer.next((m) => /^CSeq: 2 INVITE$/m.test(m) && m.includes(' 481 '), '481');
  t.match(stale, /^To: .*;tag=\S+$/m, 'the 481 keeps the dialog To tag');
});

t.test('a new app cleans up after a dead one: BYE, final answer, CANCEL', async (t) => {
  const { standin, app } = await standUp(t);
  const answering = await startSipp({ scenario: 'uas-answer-200.xml', keys: KEYS });
  const ringing = await startSipp({ scenario: 'uas-ring-expect-cancel.xml', keys: KEYS });
  const dealers = [answering.port, ringing.port];
  app.invite((req, res) => {
    const port = dealers.shift();
    bridge(app, req, res, `sip:d@127.0.0.1:${port}`).catch(() => {});
  });
  const trace = standin.trace;
  const toPeer = (port: number, firstLine: string) =>
    trace.find(
      (r) =>
        r.kind === 'sip' &&
        r.dir === 'out' &&
        r.peer.endsWith(`:${port}`) &&
        r.firstLine.startsWith(firstLine),
    );
  const answered = await startSipp({
    scenario: 'uac-expect-200-await-bye.xml',
    remote: standin.sipAddress,
    keys: KEYS,
  });
  await waitFor(
    () => toApp(trace, 'sip').find((f) => f.sip.startsWith('ACK')),
    15_000,
    'call 1 up',
  );
  const waiting = await startSipp({
    scenario: 'standin-uac-ringing-expect-503.xml',
    remote: standin.sipAddress,
    keys: KEYS,
  });
  await waitFor(() => toPeer(waiting.port, 'SIP/2.0 180'), 15_000, 'call 2 ringing');

  // ids the dead connection knew (a real gateway would have kept them, e.g. in Redis)
  const inviteEcho = (port: number) => replyTo(trace, `INVITE sip:d@127.0.0.1:${port} SIP/2.0`);
  const upInvites = toApp(trace, 'sip').filter((f) => f.sip.startsWith('INVITE'));
  const [inviteA1, inviteA2] = upInvites;
  const aDialog =
    replyTo(trace, /^SIP\/2\.0 200 OK\r\n(?:.*\r\n)*cseq: 1 INVITE/i)?.tokens[11] ?? '';
  const bInvite = inviteEcho(answering.port)?.sip ?? '';
  const bCallId = /^Call-ID: (.*)$/m.exec(bInvite)?.[1] ?? '';
  const bDialog = `${bCallId};from-tag=${/^From: .*;tag=([^;\s]+)/m.exec(bInvite)?.[1] ?? ''}`;
  const ringingTxn = inviteEcho(ringing.port)?.tokens[10] ?? '';
  t.match(aDialog, /;from-tag=/);
  t.ok(inviteA1 && inviteA2 && bCallId && ringingTxn, 'ids read from the trace');

  const app2 = await replaceApp(t, app, standin.adminAddress);
  // BYE in the A dialog by its id
  await app2.request('sip:placeholder', { method: 'BYE', stackDialogId: aDialog });
  // and in the B dialog (a Call-ID alone would not do: findDialogByCallId never matches)
  await app2.request('sip:placeholder', { method: 'BYE', stackDialogId: bDialog });
  // the caller still ringing gets its final answer
  sendSipFrame(app2, 'SIP/2.0 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n', {
    stackTxnId: inviteA2?.tokens[8] ?? '',
  });
  // and the dealer still ringing a CANCEL of the dead app's INVITE
  await app2.request(`sip:d@127.0.0.1:${ringing.port}`, {
    method: 'CANCEL',
    stackTxnId: ringingTxn,
  });

  const [caller1, dealer1, caller2, dealer2] = await Promise.all([
    answered.done,
    answering.done,
    waiting.done,
    ringing.done,
  ]);
  t.equal(caller1.exitCode, 0, `answered caller got the BYE: ${caller1.errors}`);
  t.equal(dealer1.exitCode, 0, `answered dealer got the BYE: ${dealer1.errors}`);
  t.equal(caller2.exitCode, 0, `ringing caller got 503: ${caller2.errors}`);
  t.equal(dealer2.exitCode, 0, `ringing dealer got the CANCEL: ${dealer2.errors}`);

  // read from the trace: srf may emit a response before a listener added after `await` exists
  const byeAnswers = () =>
    frames(trace).filter(
      (f) =>
        f.dir === 'out' &&
        f.conn === 2 &&
        /^SIP\/2\.0 200 OK\r\n(?:.*\r\n)*CSeq: \d+ BYE\r\n/.test(f.sip),
    );
  await waitFor(() => (byeAnswers().length >= 2 ? true : undefined), 3000, 'both 200s to BYE');
  t.same(
    byeAnswers().map((f) => f.tokens[1]),
    ['sip', 'sip'],
    'the 200s to both BYEs reach the new app',
  );
  const answerEcho = replyTo(trace, 'SIP/2.0 503');
  t.equal(answerEcho?.tokens[3], 'OK', 'the 503 is echoed to the new app');
  t.match(answerEcho?.tokens[11] ?? '', /;from-tag=/);
  const cancelEcho = replyTo(trace, /^CANCEL /);
  t.equal(cancelEcho?.tokens[3], 'OK', 'the CANCEL is echoed to the new app');
  const conn2 = sentOn(trace, 2);
  t.ok(
    conn2.some((tokens) => tokens[1] === 'response' && tokens[2] === cancelEcho?.tokens[2]),
    'on the new connection',
  );
  await waitFor(() => toPeer(ringing.port, 'ACK'), 3000, 'ACK for the 487');
  t.notOk(
    toApp(trace, 'sip').some((f) => f.sip.startsWith('SIP/2.0 487')),
    'the 487 goes to nobody: the INVITE still belongs to the dead connection ' +
      '(ClientController::sendCancelRequest registers no transaction for the sender)',
  );
  t.equal(
    fromApp(trace).filter((f) => f.sip.startsWith('BYE')).length,
    2,
    'only the new app sent BYEs',
  );
});
