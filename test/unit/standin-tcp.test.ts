/**
 * The stand-in's SIP over TCP: messages framed by Content-Length however the stream is cut, a
 * stream sofia would mark bad no longer read, what waits for a connection sent in order, and a
 * refused or reset connection reported while a clean close is not.
 */
import { connect, createServer, type Socket } from 'node:net';
import t, { type Test } from 'tap';
import { freeTcpPort } from '../helpers/ports.js';
import { waitFor } from '../helpers/wait.js';
import type { Endpoint } from '../standin/sip-address.js';
import { SipTcp } from '../standin/tcp.js';
import { Tracer } from '../standin/trace.js';

const HOST = '127.0.0.1';
const message = (body: string, extra = '') =>
  `OPTIONS sip:x@${HOST} SIP/2.0\r\nCall-ID: ${body}\r\n${extra}Content-Length: ${body.length}\r\n\r\n${body}`;

async function listening(t: Test) {
  const trace = new Tracer();
  const tcp = await SipTcp.listen(HOST, 0, trace);
  t.teardown(() => tcp.close());
  const heard: { text: string; from: Endpoint; bad?: true }[] = [];
  tcp.onReceived((data, from, bad) => {
    heard.push({ text: data.toString(), from, ...(bad && { bad: true as const }) });
    return undefined;
  });
  const failed: number[] = [];
  tcp.onConnectionFailed((peer) => failed.push(peer.port));
  return { tcp, trace, heard, failed };
}

/** A raw client connected to `tcp`'s port. */
async function client(t: Test, tcp: SipTcp): Promise<Socket> {
  const socket = connect(tcp.port, HOST);
  t.teardown(() => socket.destroy());
  await new Promise((r) => socket.once('connect', r));
  return socket;
}

t.test('messages are framed by Content-Length however the stream is cut', async (t) => {
  const { tcp, heard, trace } = await listening(t);
  const socket = await client(t, tcp);
  const [a, b, c] = [message('one'), message('two'), message('three')];
  socket.write(a + b); // two in one write
  const whole = Buffer.from(c);
  for (let i = 0; i < whole.length; i += 7) {
    socket.write(whole.subarray(i, i + 7)); // one in pieces
    await new Promise((r) => setTimeout(r, 2));
  }
  await waitFor(() => heard.length === 3 || undefined, 2000, 'three messages');
  t.same(
    heard.map((h) => h.text),
    [a, b, c],
  );
  t.same(heard[0]?.from, { address: HOST, port: socket.localPort, transport: 'tcp' });
  t.ok(
    trace.records.every((r) => r.kind !== 'sip' || r.transport === 'tcp'),
    'traced as tcp',
  );
});

t.test(
  'a message without Content-Length is bad once bytes follow it; nothing more read',
  async (t) => {
    const { tcp, heard, trace } = await listening(t);
    const socket = await client(t, tcp);
    const bad = `OPTIONS sip:x SIP/2.0\r\nCall-ID: bad\r\n\r\n${message('after')}`;
    socket.write(bad);
    await waitFor(
      () => trace.records.find((r) => r.kind === 'note' && /no longer read/.test(r.text)),
      2000,
      'the stall',
    );
    socket.write(message('later'));
    await new Promise((r) => setTimeout(r, 100));
    t.same(
      heard.map((h) => [h.text, h.bad]),
      [[bad, true]],
      'handed on as bad, its rest with it; nothing after it is read',
    );
  },
);

t.test('what waits for a connection goes out in order; answers come back on it', async (t) => {
  const { tcp, heard } = await listening(t);
  let got = '';
  let peerSocket: Socket | undefined;
  const server = createServer((s) => {
    peerSocket = s;
    s.on('data', (d) => {
      got += d.toString();
    });
  });
  await new Promise<void>((r) => server.listen(0, HOST, r));
  t.teardown(() => {
    peerSocket?.destroy();
    server.close();
  });
  const port = (server.address() as { port: number }).port;
  const to: Endpoint = { address: HOST, port, transport: 'tcp' };
  tcp.send(message('first'), to);
  tcp.send(message('second'), to);
  const both = message('first') + message('second');
  await waitFor(() => got === both || undefined, 2000, 'both');
  t.ok(tcp.connected(to), 'the connection is known');
  peerSocket?.write(message('back'));
  await waitFor(() => heard.length || undefined, 2000, 'the answer');
  t.same(heard[0]?.from, to, 'from the peer it connected to');
});

t.test('refused and reset connections are reported; a clean close is not', async (t) => {
  const { tcp, failed } = await listening(t);
  const closed = await freeTcpPort();
  tcp.send(message('x'), { address: HOST, port: closed, transport: 'tcp' });
  await waitFor(() => failed.length || undefined, 2000, 'the refusal');
  t.same(failed, [closed], 'refused');

  const sockets: Socket[] = [];
  const server = createServer((s) => sockets.push(s));
  await new Promise<void>((r) => server.listen(0, HOST, r));
  t.teardown(() => server.close());
  const port = (server.address() as { port: number }).port;
  const to: Endpoint = { address: HOST, port, transport: 'tcp' };
  tcp.send(message('y'), to);
  await waitFor(() => sockets[0], 2000, 'the first connection');
  sockets[0]?.end();
  await waitFor(() => (!tcp.connected(to) ? true : undefined), 2000, 'the close seen');
  t.same(failed, [closed], 'a clean close is no failure');
  tcp.send(message('z'), to);
  await waitFor(() => sockets[1], 2000, 'a new connection');
  sockets[1]?.resetAndDestroy();
  await waitFor(() => (failed.length === 2 ? true : undefined), 2000, 'the reset');
  t.same(failed, [closed, port], 'reset');
});
