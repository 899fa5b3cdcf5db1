/**
 * The stand-in's SIP socket: a port in use is refused as before the port became shareable; a
 * watched peer whose port is closed is reported (its ICMP port unreachable), what waited while
 * its socket connected goes out in order, and its datagrams still reach the stand-in.
 */
import { createSocket, type Socket } from 'node:dgram';
import t, { type Test } from 'tap';
import { freeUdpPort } from '../helpers/ports.js';
import { waitFor } from '../helpers/wait.js';
import { Tracer } from '../standin/trace.js';
import { SipSocket } from '../standin/udp.js';

const HOST = '127.0.0.1';

async function plainSocket(t: Test, port = 0): Promise<Socket> {
  const s = createSocket('udp4');
  await new Promise<void>((resolve) => s.bind(port, HOST, () => resolve()));
  t.teardown(() => s.close());
  return s;
}

async function sipSocket(t: Test, port = 0): Promise<SipSocket> {
  const s = await SipSocket.bind(HOST, port, new Tracer());
  t.teardown(() => s.close());
  return s;
}

t.test('a port someone holds is refused; port 0 gets one nobody holds', async (t) => {
  const held = await plainSocket(t);
  await t.rejects(SipSocket.bind(HOST, held.address().port, new Tracer()), { code: 'EADDRINUSE' });
  const first = await sipSocket(t);
  await t.rejects(SipSocket.bind(HOST, first.address.port, new Tracer()), { code: 'EADDRINUSE' });
  const second = await sipSocket(t);
  t.not(second.address.port, first.address.port);
});

t.test('a watched peer whose port is closed is reported; a live one is not', async (t) => {
  const sip = await sipSocket(t);
  const unreachable: number[] = [];
  sip.onPortUnreachable((peer) => unreachable.push(peer.port));
  const live = await plainSocket(t);
  const closed = await freeUdpPort();
  for (const port of [live.address().port, closed]) {
    sip.watch({ address: HOST, port });
    sip.send('OPTIONS sip:x SIP/2.0\r\n\r\n', { address: HOST, port });
  }
  await waitFor(() => unreachable.length > 0 || undefined, 3000, 'the ICMP error');
  await new Promise((r) => setTimeout(r, 100));
  t.same(unreachable, [closed], 'only the closed port');
});

t.test('a watched peer gets what waited, in order, and is heard from', async (t) => {
  const sip = await sipSocket(t);
  const heard: string[] = [];
  sip.onDatagram((data, from) => heard.push(`${from.port} ${data}`));
  const peer = await plainSocket(t);
  const got: string[] = [];
  peer.on('message', (m) => got.push(m.toString()));
  const to = { address: HOST, port: peer.address().port };
  sip.watch(to);
  for (const n of [1, 2, 3]) sip.send(`m${n}`, to);
  await waitFor(() => got.length === 3 || undefined, 3000, 'three datagrams');
  t.same(got, ['m1', 'm2', 'm3']);
  peer.send('reply', sip.address.port, HOST);
  await waitFor(() => heard.length === 1 || undefined, 3000, 'the reply');
  t.same(heard, [`${to.port} reply`], 'through the peer’s own socket, from the peer');
});
