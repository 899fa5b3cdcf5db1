/**
 * A peer whose port is closed: the ICMP port unreachable its datagram draws makes sofia fail every
 * request still pending to that peer with a 503 of its own, at once, where silence would take
 * until timer B or F (tport.c tport_pending_error, nta.c outgoing_tport_error). The app reads it
 * as a response with no source address, as it reads the stack's 408. Checked against
 * drachtio-server v0.9.10 with `TEST_DRACHTIO_BIN`.
 */
import t from 'tap';
import { freeUdpPort } from '../helpers/ports.js';
import { peerResponse, UdpPeer } from '../helpers/raw-peer.js';
import { SDP, type SrfDialog } from '../helpers/srf-app.js';
import { type Bed, datagrams, dialed, standUp, toApp } from '../helpers/standin-bed.js';
import { waitFor } from '../helpers/wait.js';

/** `network|0|udp||0`: what drachtio-server tells the app of a response its stack made. */
const STACK_MADE = ['network', '0', 'udp', '', '0'];

/** A loopback port nothing listens on: a datagram sent there draws an ICMP port unreachable. */
const closedPort = freeUdpPort;

/** An INVITE from the app to a UDP peer on `port` of loopback. */
const toPort = (port: number) => `sip:d@127.0.0.1:${port}`;

t.test('an INVITE to a closed port fails at once with the stack’s 503', async (t) => {
  const { standin, app } = await standUp(t);
  const port = await closedPort();
  const started = Date.now();
  const status = await dialed(app, toPort(port));
  const took = Date.now() - started;
  t.equal(status, 503, 'srf rejects the INVITE with 503');
  // sofia's first retransmission comes after 1 s at the earliest: the answer came before it
  t.ok(took < 1000, `answered in ${took} ms, before any retransmission`);
  const sent = datagrams(standin.trace, 'out').filter((d) => d.firstLine.startsWith('INVITE'));
  t.equal(sent.length, 1, 'the INVITE went out once');
  t.notOk(
    datagrams(standin.trace, 'out').some((d) => d.firstLine.startsWith('ACK')),
    'nobody to ACK',
  );
  const answer = toApp(standin.trace, 'sip').find((f) => f.sip.startsWith('SIP/2.0 503'));
  t.same(answer?.tokens.slice(2, 7), STACK_MADE, 'the 503 came from no address');
  t.match(answer?.sip, /^To: .*;tag=/m, 'its To is tagged');
});

t.test('an OPTIONS outside a dialog to a closed port gets the stack’s 503', async (t) => {
  const { app } = await standUp(t);
  const port = await closedPort();
  const res = await new Promise<{ status: number; source_address: string }>((resolve, reject) =>
    app.request(`sip:d@127.0.0.1:${port}`, { method: 'OPTIONS' }, (err, req) => {
      if (err) reject(err);
      else req.on('response', resolve);
    }),
  );
  t.equal(res.status, 503);
  t.equal(res.source_address, '', 'no source address');
});

/** A dialog with a raw peer that answered 200; the peer can then go away. */
async function answered(bed: Bed, peer: UdpPeer): Promise<SrfDialog> {
  const call = bed.app.createUAC(toPort(peer.port), { localSdp: SDP });
  const invite = await peer.next((m) => m.startsWith('INVITE'), 'the INVITE');
  const ok = peerResponse(
    invite,
    '200 OK',
    [`Contact: <sip:127.0.0.1:${peer.port}>`, 'Content-Type: application/sdp'],
    SDP,
  );
  peer.send(ok, bed.standin.sipAddress.port);
  return call;
}

t.test(
  'inside a dialog: the peer answers while it is there, the stack once it is gone',
  async (t) => {
    const bed = await standUp(t);
    const standin = bed.standin;
    const peer = await UdpPeer.open(t);
    const dialog = await answered(bed, peer);
    const asked = dialog.request({ method: 'OPTIONS' });
    const options = await peer.next((m) => m.startsWith('OPTIONS'), 'the OPTIONS');
    peer.send(peerResponse(options, '200 OK'), standin.sipAddress.port);
    const there = await asked;
    t.equal(there.status, 200, 'a peer that is there answers');
    t.equal(there.source_address, '127.0.0.1', 'from its address');

    peer.close();
    const started = Date.now();
    const gone = await dialog.request({ method: 'OPTIONS' });
    t.equal(gone.status, 503, 'a peer whose port closed: 503');
    t.equal(gone.source_address, '', 'made by the stack');
    t.ok(Date.now() - started < 1000, 'at once, not at timer F');
  },
);

t.test('a ringing INVITE fails with the CANCEL that draws the ICMP', async (t) => {
  const { standin, app } = await standUp(t);
  const peer = await UdpPeer.open(t);
  let request: { cancel(): void } | undefined;
  const call = dialed(app, toPort(peer.port), { cbRequest: (_err, req) => (request = req) });
  const invite = await peer.next((m) => m.startsWith('INVITE'), 'the INVITE');
  peer.send(peerResponse(invite, '180 Ringing'), standin.sipAddress.port);
  await waitFor(
    () => toApp(standin.trace, 'sip').find((f) => f.sip.startsWith('SIP/2.0 180')),
    3000,
    'the 180 at the app',
  );
  peer.close();
  request?.cancel();
  t.equal(await call, 503, 'the INVITE, still pending after its 180, fails with 503');
  const answers = toApp(standin.trace, 'sip').filter((f) => /^SIP\/2\.0 [2-6]/.test(f.sip));
  t.same(
    answers.map((f) => f.sip.split('\r\n')[0]),
    ['SIP/2.0 503 Service Unavailable'],
    'the app hears one final answer, the 503, nothing for the CANCEL',
  );
});

t.test('a live peer beside a closed one is not touched', async (t) => {
  const { standin, app } = await standUp(t);
  const live = await UdpPeer.open(t);
  const toLive = dialed(app, toPort(live.port));
  const toClosed = dialed(app, toPort(await closedPort()));
  t.equal(await toClosed, 503);
  const invite = await live.next((m) => m.startsWith('INVITE'), 'the INVITE');
  live.send(peerResponse(invite, '486 Busy Here'), standin.sipAddress.port);
  t.equal(await toLive, 486, 'the live peer’s own answer reaches the app');
});
