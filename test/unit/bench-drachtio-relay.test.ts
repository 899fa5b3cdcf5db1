/**
 * The relay `bench/faults` puts in front of a real drachtio-server's application port: bytes pass
 * unchanged both ways, each frame is reported by direction and connection as the stand-in's
 * trace holds it, and a side that closes takes the other with it. A plain TCP server stands in
 * for drachtio-server here: the relay reads frames, not what they mean.
 */
import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import t, { type Test } from 'tap';
import { relayApps } from '../../bench/drachtio-relay.js';
import type { TraceRecord } from '../../test/standin/index.js';

/** A server that sends `greeting` to each connection and keeps what each one sent. */
async function upstream(
  greeting: string,
): Promise<{ server: Server; port: number; got: string[]; sockets: Socket[] }> {
  const got: string[] = [];
  const sockets: Socket[] = [];
  const server = createServer((s) => {
    const i = sockets.push(s) - 1;
    got[i] = '';
    s.on('data', (c: Buffer) => (got[i] += c.toString('utf8')));
    s.on('error', () => undefined);
    s.write(greeting);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { server, port: address.port, got, sockets };
}

/** The relay in front of such a server, both closed with `t`. */
async function relayed(t: Test, greeting: string) {
  const up = await upstream(greeting);
  const relay = await relayApps({ address: '127.0.0.1', port: up.port });
  t.teardown(async () => {
    await relay.close();
    up.server.close();
  });
  return { up, relay };
}

const frames = (trace: TraceRecord[]) =>
  trace.map((r) => (r.kind === 'frame' ? `${r.dir} ${r.conn} ${r.payload}` : r.kind));

const until = async (test: () => boolean) => {
  for (let i = 0; i < 200 && !test(); i++) await new Promise((r) => setTimeout(r, 10));
};

t.test(
  'frames pass unchanged both ways and are reported by direction and connection',
  async (t) => {
    // split frames and a multi-byte character: the length counts UTF-8 bytes (framing.ts)
    const { up, relay } = await relayed(t, '5#hello8#méchant');
    const app = connect(relay.address.port, '127.0.0.1');
    let heard = '';
    app.on('data', (c: Buffer) => (heard += c.toString('utf8')));
    await once(app, 'connect');
    app.write('3#ab');
    app.write('c2#hi');
    await until(() => heard.length === 16 && up.got[0] === '3#abc2#hi');
    t.equal(heard, '5#hello8#méchant', 'the server’s bytes as they were sent');
    t.equal(up.got[0], '3#abc2#hi', 'the app’s bytes as they were sent');
    t.strictSame(
      frames(relay.trace).sort(),
      ['in 1 abc', 'in 1 hi', 'out 1 hello', 'out 1 méchant'],
      'each frame once, whole, on connection 1',
    );
    const second = connect(relay.address.port, '127.0.0.1');
    await until(() => frames(relay.trace).includes('out 2 hello'));
    t.ok(frames(relay.trace).includes('out 2 hello'), 'the next app is connection 2');
    second.destroy();
    app.destroy();
  },
);

t.test(
  'a server that goes away drops its apps; an app that goes away drops its server connection',
  async (t) => {
    const { up, relay } = await relayed(t, '');
    const app = connect(relay.address.port, '127.0.0.1');
    app.on('error', () => undefined);
    await until(() => up.sockets.length === 1);
    up.sockets[0]?.destroy();
    await once(app, 'close');
    t.pass('the app saw the server go (a restart: it reconnects)');

    const again = connect(relay.address.port, '127.0.0.1');
    await until(() => up.sockets.length === 2);
    const serverSide = up.sockets[1]!;
    const closed = once(serverSide, 'close');
    again.destroy();
    await closed;
    t.pass('the server saw the app go (a killed gateway)');
  },
);

t.test('no server listening: the app is dropped, the relay goes on', async (t) => {
  const up = await upstream('');
  const port = up.port;
  await new Promise((r) => up.server.close(r));
  const relay = await relayApps({ address: '127.0.0.1', port });
  t.teardown(() => relay.close());
  const app = connect(relay.address.port, '127.0.0.1');
  app.on('error', () => undefined);
  await once(app, 'close');
  t.pass('dropped while the server is down, as drachtio-srf then retries');
  t.strictSame(relay.trace, [], 'nothing reported');
});

t.test(
  'bytes that are not drachtio frames still pass; the count of that side stops, with a note',
  async (t) => {
    const { up, relay } = await relayed(t, '');
    const app = connect(relay.address.port, '127.0.0.1');
    await once(app, 'connect');
    // six length digits: more than drachtio-server reads from an app (framing.ts)
    app.write('123456#x');
    await until(() => up.got[0] === '123456#x');
    t.equal(up.got[0], '123456#x', 'passed as sent: the server judges them');
    t.equal(relay.trace.length, 1, 'no frame reported, one note');
    t.match(relay.trace[0], { kind: 'note', text: /^connection 1 in: not framed \(.+\)$/ });
    app.destroy();
  },
);
