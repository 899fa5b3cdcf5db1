// SIP-side details easier to provoke with a raw UDP peer than with sipp: 481 for unknown dialogs,
// INVITE retransmissions absorbed, compact headers, a non-2xx final retransmitted until its ACK.
import t, { type Test } from 'tap';
import { peerResponse, UdpPeer } from '../helpers/raw-peer.js';
import { SDP } from '../helpers/srf-app.js';
import { datagrams, routesTaken, standUp, toApp } from '../helpers/standin-bed.js';
import { waitFor } from '../helpers/wait.js';

function request(
  method: string,
  peer: UdpPeer,
  target: number,
  extra: string[] = [],
  branch = 'z9hG4bK-raw-1',
): string {
  return [
    `${method} sip:+4930100@127.0.0.1:${target} SIP/2.0`,
    `v: SIP/2.0/UDP 127.0.0.1:${peer.port};branch=${branch}`,
    `f: <sip:+4930111222333@127.0.0.1:${peer.port}>;tag=raw1`,
    ...extra,
    'i: raw-call-1@127.0.0.1',
    `CSeq: 1 ${method}`,
    `m: <sip:+4930111222333@127.0.0.1:${peer.port}>`,
    'l: 0',
    '',
    '',
  ].join('\n');
}

t.test('BYE and UPDATE for an unknown dialog get 481', async (t) => {
  const { standin } = await standUp(t);
  const peer = await UdpPeer.open(t);
  const port = standin.sipAddress.port;
  peer.send(request('BYE', peer, port, ['t: <sip:+4930100@127.0.0.1>;tag=gone']), port);
  peer.send(
    request('UPDATE', peer, port, ['t: <sip:+4930100@127.0.0.1>;tag=gone'], 'z9hG4bK-raw-2'),
    port,
  );
  await waitFor(() => (peer.received.length >= 2 ? true : undefined), 3000, 'two answers');
  t.same(peer.firstLines(), [
    'SIP/2.0 481 Call/Transaction Does Not Exist',
    'SIP/2.0 481 Call/Transaction Does Not Exist',
  ]);
  t.equal(toApp(standin.trace, 'sip').length, 0, 'the app hears nothing');
});

t.test(
  'an INVITE whose To tag names no dialog: 100 Trying, then 481; no app sees it',
  async (t) => {
    const { standin, app } = await standUp(t);
    const invites: string[] = [];
    app.invite((req, res) => {
      invites.push(req.get('Call-ID') ?? '');
      res.send(500);
    });
    const peer = await UdpPeer.open(t);
    const port = standin.sipAddress.port;
    peer.send(request('INVITE', peer, port, ['t: <sip:+4930100@127.0.0.1>;tag=stale']), port);
    await waitFor(() => (peer.received.length >= 2 ? true : undefined), 3000, 'two answers');
    t.same(peer.firstLines(), [
      'SIP/2.0 100 Trying',
      'SIP/2.0 481 Call/Transaction Does Not Exist',
    ]);
    t.match(
      peer.received[1] ?? '',
      /^To: <sip:\+4930100@127\.0\.0\.1>;tag=stale$/m,
      'To kept as sent',
    );
    t.same(invites, [], 'drachtio-server answers it itself (pending-request-controller.cpp:79)');
    t.equal(toApp(standin.trace, 'sip').length, 0);
  },
);

t.test('compact INVITE, retransmission absorbed, 486 retransmitted until ACK', async (t) => {
  const { standin, app } = await standUp(t, { t1: 40, t2: 160 });
  const peer = await UdpPeer.open(t);
  const port = standin.sipAddress.port;
  let answer: (() => void) | undefined;
  app.invite((_req, res) => {
    answer = () => res.send(486);
  });
  await routesTaken(standin.trace);
  const invite = request('INVITE', peer, port, ['t: <sip:+4930100@127.0.0.1>']);
  peer.send(invite, port);
  await waitFor(() => answer, 3000, 'INVITE at the app');
  peer.send(invite, port);
  peer.send(invite, port);
  await new Promise((r) => setTimeout(r, 100));
  t.equal(
    toApp(standin.trace, 'sip').filter((f) => f.sip.startsWith('INVITE')).length,
    1,
    'retransmissions absorbed',
  );
  t.same(
    peer.firstLines(),
    ['SIP/2.0 100 Trying'],
    'one 100 Trying, retransmissions not answered before the app',
  );

  answer?.();
  await waitFor(
    () =>
      peer.firstLines().filter((l) => l.startsWith('SIP/2.0 486')).length >= 3 ? true : undefined,
    3000,
    '486 retransmissions',
  );
  const busy = peer.received.find((m) => m.startsWith('SIP/2.0 486')) ?? '';
  const toTag = busy.match(/^To: .*;tag=(\S+)/m)?.[1];
  t.ok(toTag, '486 carries a To tag');
  peer.send(request('ACK', peer, port, [`t: <sip:+4930100@127.0.0.1>;tag=${toTag}`]), port);
  await new Promise((r) => setTimeout(r, 200));
  const count = peer.firstLines().filter((l) => l.startsWith('SIP/2.0 486')).length;
  await new Promise((r) => setTimeout(r, 400));
  t.equal(
    peer.firstLines().filter((l) => l.startsWith('SIP/2.0 486')).length,
    count,
    'ACK stopped the retransmissions',
  );
  t.notOk(
    toApp(standin.trace, 'sip').some((f) => f.sip.startsWith('ACK')),
    'ACK for a failure is not passed up',
  );
  t.ok(datagrams(standin.trace, 'in').some((d) => d.firstLine.startsWith('ACK')));
});

t.test('a 200 retransmitted after the ACK gets the same ACK again', async (t) => {
  const { standin, app } = await standUp(t);
  const peer = await UdpPeer.open(t);
  const call = app.createUAC(`sip:d@127.0.0.1:${peer.port}`, { localSdp: SDP });
  const invite = await waitFor(
    () => peer.received.find((m) => m.startsWith('INVITE')),
    3000,
    'INVITE',
  );
  const ok = peerResponse(
    invite,
    '200 OK',
    [`Contact: <sip:127.0.0.1:${peer.port}>`, 'Content-Type: application/sdp'],
    SDP,
  );
  const port = standin.sipAddress.port;
  peer.socket.send(Buffer.from(ok), port, '127.0.0.1');
  const dialog = await call;
  t.match(dialog.id, /;from-tag=/);
  const firstAck = await waitFor(() => peer.received.find((m) => m.startsWith('ACK')), 3000, 'ACK');
  t.match(
    firstAck,
    new RegExp(`^ACK sip:127\\.0\\.0\\.1:${peer.port} SIP/2\\.0`),
    'ACK to the Contact of the 200',
  );
  peer.socket.send(Buffer.from(ok), port, '127.0.0.1');
  const acks = await waitFor(
    () => {
      const all = peer.received.filter((m) => m.startsWith('ACK'));
      return all.length >= 2 ? all : undefined;
    },
    3000,
    'second ACK',
  );
  t.equal(acks[1], acks[0], 'the ACK is resent unchanged');
  t.equal(
    toApp(standin.trace, 'sip').filter((f) => f.sip.startsWith('SIP/2.0 200')).length,
    1,
    'the app saw one 200',
  );
});

/**
 * sofia answers a request that fails its checks without a transaction. Only a top Via it has
 * checked (SIP/2.0 over the transport the request came on) gets `received` and the forced `rport`
 * (drachtio-server's NTATAG_SERVER_RPORT(2)), and the reply goes back where the request came from.
 * agent_recv_request sends a 505 before that check, and a Via of another protocol fails it: those
 * replies go to the Via's sent-by as written, over the Via's transport.
 */
function malformed(version: string, via: string, sentBy: UdpPeer, maxForwards: string): string {
  return [
    `OPTIONS sip:+4930100@127.0.0.1 SIP/${version}`,
    `Via: ${via} 127.0.0.1:${sentBy.port};branch=z9hG4bK-malformed`,
    'From: <sip:+4930111222333@127.0.0.1>;tag=m1',
    'To: <sip:+4930100@127.0.0.1>',
    'Call-ID: malformed-1@127.0.0.1',
    'CSeq: 1 OPTIONS',
    `Max-Forwards: ${maxForwards}`,
    'Content-Length: 0',
    '',
    '',
  ].join('\n');
}

/** Sends one malformed request from `sender`, its Via naming `sentBy`; both peers' datagrams. */
async function answerOf(
  t: Test,
  version: string,
  via: string,
  maxForwards: string,
  /** When the awaited answer is in; without it, no answer is awaited. */
  until?: (sender: UdpPeer, sentBy: UdpPeer) => boolean,
): Promise<{ sender: string[]; sentBy: string[] }> {
  const { standin } = await standUp(t);
  const sender = await UdpPeer.open(t);
  const sentBy = await UdpPeer.open(t);
  sender.send(malformed(version, via, sentBy, maxForwards), standin.sipAddress.port);
  if (until) await waitFor(() => until(sender, sentBy) || undefined, 3000, 'the answer');
  // a datagram to the wrong peer would come as fast as the right one
  await new Promise((r) => setTimeout(r, 300));
  return { sender: sender.received, sentBy: sentBy.received };
}

t.test("a version other than SIP/2.0: 505 at the Via's sent-by, unstamped", async (t) => {
  const got = await answerOf(t, '7.0', 'SIP/7.0/UDP', '70', (_, at) => at.received.length > 0);
  t.equal(got.sentBy.length, 1, "one answer at the Via's sent-by");
  t.match(got.sentBy[0], /^SIP\/2\.0 505 /, 'a 505');
  t.notMatch(got.sentBy[0], /rport=\d|received=/, 'its Via as the sender wrote it');
  t.same(got.sender, [], 'nothing where it came from');
});

t.test('a bad header under a checked Via: 400 where it came from, rport forced', async (t) => {
  const got = await answerOf(t, '2.0', 'SIP/2.0/UDP', 'seventy', (s) => s.received.length > 0);
  t.equal(got.sender.length, 1, 'one answer where it came from');
  t.match(got.sender[0], /^SIP\/2\.0 400 /, 'a 400');
  t.match(got.sender[0], /;rport=\d+/, 'rport forced');
  t.same(got.sentBy, [], "nothing at the Via's sent-by");
});

t.test('a bad header under a TCP Via: its 400 would go over TCP, which is not here', async (t) => {
  const got = await answerOf(t, '2.0', 'SIP/2.0/TCP', 'seventy');
  t.same(got, { sender: [], sentBy: [] }, 'no datagram to either peer');
});
