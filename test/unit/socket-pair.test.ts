/**
 * A proxy's two sockets of one connection: when one side goes, the other is ended, not cut off,
 * so what was already on its way to that peer still arrives, as it would without the proxy (the
 * faults bench counts a frame the proxy passed on as handed to the gateway).
 */
import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import t, { type Test } from 'tap';
import { tieSockets } from '../helpers/socket-pair.js';

/** A connected pair of sockets: `near` on our side, `far` the peer that reads it. */
async function pair(t: Test, server: Server): Promise<{ near: Socket; far: Socket }> {
  const address = server.address() as { port: number };
  const accepted = once(server, 'connection') as Promise<[Socket]>;
  const far = connect(address.port, '127.0.0.1');
  const [near] = await accepted;
  await once(far, 'connect');
  t.teardown(() => {
    near.destroy();
    far.destroy();
  });
  return { near, far };
}

/** Two connections whose near sides are tied, as a proxy ties its app and server sockets. */
async function tied(t: Test) {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => server.close());
  const a = await pair(t, server);
  const b = await pair(t, server);
  const open = new Set<Socket>();
  tieSockets(a.near, b.near, open);
  return { a, b, open };
}

t.test('the other side closes only after what was written to it is read', async (t) => {
  const { a, b, open } = await tied(t);
  t.equal(open.size, 2, 'both held while open');
  // more than the kernel's buffers take while b's peer does not read: the rest waits in Node
  b.far.pause();
  const sent = Buffer.alloc(32 * 1024 * 1024, 1);
  t.notOk(b.near.write(sent), 'the write is held back');
  let got = 0;
  b.far.on('data', (c: Buffer) => {
    got += c.length;
  });
  const ended = once(b.far, 'end');
  a.far.destroy();
  await once(a.near, 'close');
  b.far.resume();
  await ended;
  t.equal(got, sent.length, 'every byte, then the end');
  await once(b.near, 'close');
  t.equal(open.size, 0, 'and both let go');
});

t.test('a side that does not close in turn is cut off after the grace', async (t) => {
  const { a, b } = await tied(t);
  // b's peer neither reads nor ends: the FIN alone would leave b.near half-open
  b.far.pause();
  b.near.write(Buffer.alloc(32 * 1024 * 1024, 1));
  const started = Date.now();
  a.far.destroy();
  await once(b.near, 'close');
  t.ok(Date.now() - started >= 1500, `cut off after the grace (${Date.now() - started} ms)`);
});
