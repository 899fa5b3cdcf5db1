/**
 * The recording proxy in front of a real drachtio-server's application port (the tests'
 * `TEST_DRACHTIO_BIN`, the benches' real-server runs): bytes pass unchanged both ways, each frame
 * is recorded by direction and connection as the stand-in's trace holds it, and a side that
 * closes takes the other with it. A plain TCP server stands in for drachtio-server where the
 * proxy reads frames, not what they mean; the stand-in where its own trace says what to expect.
 */
import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import t, { type Test } from 'tap';
import { freeTcpPort } from '../helpers/ports.js';
import { observingProxy, recordingProxy } from '../helpers/recording-proxy.js';
import { connectApp, disconnectApp, newApp } from '../helpers/srf-app.js';
import { waitFor } from '../helpers/wait.js';
import { start, type TraceRecord } from '../standin/index.js';
import { Tracer } from '../standin/trace.js';

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

/** The proxy in front of such a server, both closed with `t`; `trace` holds what it recorded. */
async function relayed(t: Test, greeting: string) {
  const up = await upstream(greeting);
  const trace = new Tracer();
  const relay = await recordingProxy({ address: '127.0.0.1', port: up.port }, trace);
  t.teardown(async () => {
    await relay.close();
    up.server.close();
  });
  return { up, relay, trace: trace.records };
}

const frames = (trace: readonly TraceRecord[]) =>
  trace.map((r) => (r.kind === 'frame' ? `${r.dir} ${r.conn} ${r.payload}` : r.kind));

const until = async (test: () => boolean) => {
  for (let i = 0; i < 200 && !test(); i++) await new Promise((r) => setTimeout(r, 10));
};

t.test(
  'frames pass unchanged both ways and are reported by direction and connection',
  async (t) => {
    // split frames and a multi-byte character: the length counts UTF-8 bytes (framing.ts)
    const { up, relay, trace } = await relayed(t, '5#hello8#méchant');
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
      frames(trace).sort(),
      ['in 1 abc', 'in 1 hi', 'out 1 hello', 'out 1 méchant'],
      'each frame once, whole, on connection 1',
    );
    const second = connect(relay.address.port, '127.0.0.1');
    await until(() => frames(trace).includes('out 2 hello'));
    t.ok(frames(trace).includes('out 2 hello'), 'the next app is connection 2');
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

t.test('no server listening: the app is dropped, the proxy goes on', async (t) => {
  const up = await upstream('');
  const port = up.port;
  await new Promise((r) => up.server.close(r));
  const trace = new Tracer();
  const relay = await recordingProxy({ address: '127.0.0.1', port }, trace);
  t.teardown(() => relay.close());
  const app = connect(relay.address.port, '127.0.0.1');
  app.on('error', () => undefined);
  await once(app, 'close');
  t.pass('dropped while the server is down, as drachtio-srf then retries');
  t.strictSame(trace.records, [], 'nothing recorded');
});

t.test(
  'bytes that are not drachtio frames still pass; the count of that side stops, with a note',
  async (t) => {
    const { up, relay, trace } = await relayed(t, '');
    const app = connect(relay.address.port, '127.0.0.1');
    await once(app, 'connect');
    // six length digits: more than drachtio-server reads from an app (framing.ts)
    app.write('123456#x');
    await until(() => up.got[0] === '123456#x');
    t.equal(up.got[0], '123456#x', 'passed as sent: the server judges them');
    t.equal(trace.length, 1, 'no frame recorded, one note');
    t.match(trace[0], {
      kind: 'note',
      text: /^connection 1 in: .+; frames no longer recorded$/,
    });
    app.destroy();
  },
);

t.test('the proxy records the frames the server itself sees, numbered alike', async (t) => {
  const standin = await start({ sipPort: 0, adminPort: 0, secret: 'cymru' });
  const trace = new Tracer();
  const proxy = await recordingProxy(standin.adminAddress, trace);
  const apps = [newApp(), newApp()];
  t.teardown(async () => {
    for (const app of apps) disconnectApp(app);
    await proxy.close();
    await standin.close();
  });
  for (const app of apps) await connectApp(app, proxy.address, 'cymru');
  const frames = (records: readonly TraceRecord[]) =>
    records.flatMap((r) => (r.kind === 'frame' ? [r] : []));
  await waitFor(
    () => frames(trace.records).length >= frames(standin.trace).length || undefined,
    3000,
    'the frames through the proxy',
  );
  const shape = (fs: ReturnType<typeof frames>) => fs.map((f) => [f.dir, f.conn, f.payload]);
  t.ok(frames(standin.trace).length >= 4, 'two apps authenticated: at least four frames');
  t.same(shape(frames(trace.records)), shape(frames(standin.trace)));
});

t.test(
  'dropApps breaks the apps off as a lost network would; the proxy keeps listening',
  async (t) => {
    const standin = await start({ sipPort: 0, adminPort: 0, secret: 'cymru' });
    const trace = new Tracer();
    const proxy = await recordingProxy(standin.adminAddress, trace);
    const first = newApp();
    const second = newApp();
    t.teardown(async () => {
      disconnectApp(first);
      disconnectApp(second);
      await proxy.close();
      await standin.close();
    });
    await connectApp(first, proxy.address, 'cymru');
    const lost = new Promise<void>((resolve) => first.on('close', () => resolve()));
    proxy.dropApps();
    await lost;
    t.pass('the app lost its connection');
    await connectApp(second, proxy.address, 'cymru');
    t.ok(
      trace.records.some((r) => r.kind === 'frame' && r.conn === 2 && r.dir === 'out'),
      'a new app connects through the same proxy, numbered 2',
    );
  },
);

t.test('the proxy listens where it is told, and says so when it cannot', async (t) => {
  const standin = await start({ sipPort: 0, adminPort: 0, secret: 'cymru' });
  const port = await freeTcpPort();
  const proxy = await recordingProxy(standin.adminAddress, new Tracer(), port);
  t.teardown(async () => {
    await proxy.close();
    await standin.close();
  });
  t.equal(proxy.address.port, port, 'where a gateway reconnects after its server restarted');
  const app = newApp();
  t.teardown(() => disconnectApp(app));
  await connectApp(app, { address: '127.0.0.1', port }, 'cymru');
  t.pass('an app authenticates through it');
  await t.rejects(recordingProxy(standin.adminAddress, new Tracer(), port), { code: 'EADDRINUSE' });
});

t.test('an observing proxy hands every frame to its observer and keeps none', async (t) => {
  const up = await upstream('5#hello');
  const seen: TraceRecord[] = [];
  const proxy = await observingProxy({ address: '127.0.0.1', port: up.port }, (r) => seen.push(r));
  t.teardown(async () => {
    await proxy.close();
    up.server.close();
  });
  const app = connect(proxy.address.port, '127.0.0.1');
  await once(app, 'connect');
  app.write('2#hi');
  await until(() => seen.length === 2);
  t.strictSame(frames(seen).sort(), ['in 1 hi', 'out 1 hello']);
  app.destroy();
});
