/**
 * Request-URIs drachtio-server v0.9.10 sends somewhere else than they read, or not at all: maddr,
 * an octet with a leading zero, a port beyond 16 bits or 0, URI headers, a host-less `tel:`. The
 * gateway refuses each of them in a destination (src/routing/destination.ts); the stand-in does
 * what the real server does with them, so that a path that let one through would show it. Each
 * case runs on the real server (`TEST_DRACHTIO_BIN`) unchanged.
 */
import { createSocket } from 'node:dgram';
import type { Test } from 'tap';
import t from 'tap';
import { againstRealDrachtio } from '../helpers/drachtio-peer.js';
import { UdpPeer } from '../helpers/raw-peer.js';
import { SDP } from '../helpers/srf-app.js';
import { dialed, replyTo, standUp, toApp } from '../helpers/standin-bed.js';
import { waitFor } from '../helpers/wait.js';

/** A UDP socket on another loopback address, at `port` (0: any), that keeps what it receives. */
async function listenerOn(t: Test, address: string, port = 0) {
  const socket = createSocket('udp4');
  const received: string[] = [];
  socket.on('message', (data) => received.push(data.toString('utf8')));
  await new Promise<void>((resolve) => socket.bind(port, address, () => resolve()));
  t.teardown(() => socket.close());
  return { port: socket.address().port, received };
}

const invites = (received: readonly string[]) => received.filter((m) => m.startsWith('INVITE '));

t.test(';maddr= sends to that address, not to the host', async (t) => {
  const { app } = await standUp(t);
  const there = await listenerOn(t, '127.0.0.2');
  void dialed(app, `sip:d@127.0.0.1:${there.port};maddr=127.0.0.2`);
  const invite = await waitFor(() => invites(there.received)[0], 3000, 'the INVITE at 127.0.0.2');
  t.match(invite, new RegExp(`^INVITE sip:d@127\\.0\\.0\\.1:${there.port};maddr=127\\.0\\.0\\.2 `));
});

t.test('an octet with a leading zero is read as octal: 127.0.0.010 is 127.0.0.8', async (t) => {
  const { app } = await standUp(t);
  const there = await listenerOn(t, '127.0.0.8');
  void dialed(app, `sip:d@127.0.0.010:${there.port}`);
  await waitFor(() => invites(there.received)[0], 3000, 'the INVITE at 127.0.0.8');
  t.pass('sent to 127.0.0.8');
});

t.test('a port beyond 65535 is cut to 16 bits', async (t) => {
  const { app } = await standUp(t);
  const peer = await UdpPeer.open(t);
  void dialed(app, `sip:d@127.0.0.1:${65536 + peer.port}`);
  await peer.next((m) => m.startsWith('INVITE '), `the INVITE at ${peer.port}`);
  t.pass(`${65536 + peer.port} is ${peer.port}`);
});

t.test('port 0: taken, then the stack’s own 503', async (t) => {
  const { standin, app } = await standUp(t);
  t.equal(await dialed(app, 'sip:d@127.0.0.1:0'), 503);
  t.equal(replyTo(standin.trace, /^INVITE /)?.tokens[3], 'OK', 'taken');
  const answer = toApp(standin.trace, 'sip').find((f) => f.sip.startsWith('SIP/2.0 503'));
  t.match(answer?.sip, /^SIP\/2\.0 503 Service Unavailable\r\n/);
  t.same(answer?.tokens.slice(5, 7), ['', '0'], 'from no address');
});

t.test('URI headers and no To of the app’s: no leg, a NOK', async (t) => {
  const { standin, app } = await standUp(t);
  const peer = await UdpPeer.open(t);
  const err = await app.createUAC(`sip:d@127.0.0.1:${peer.port}?X-Foo=bar`, { localSdp: SDP }).then(
    () => undefined,
    (e: Error) => e,
  );
  t.match(String(err?.message ?? err), /Error creating leg/);
  t.equal(replyTo(standin.trace, /^INVITE /)?.tokens[3], 'NOK');
  await new Promise((r) => setTimeout(r, 200));
  t.same(peer.received, [], 'nothing on the wire');
});

t.test('a tel: Request-URI takes the server down: every app connection is lost', async (t) => {
  const { app } = await standUp(t);
  let closed = false;
  app.on('close', () => {
    closed = true;
  });
  app.on('error', () => undefined);
  void app.createUAC('tel:+4930123456', { localSdp: SDP }).catch(() => undefined);
  await waitFor(() => closed || undefined, againstRealDrachtio() ? 10_000 : 3000, 'the close');
  t.ok(closed, 'the app’s connection closed: drachtio-server v0.9.10 died of it');
});
