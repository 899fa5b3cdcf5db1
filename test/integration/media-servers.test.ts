/**
 * The FreeSWITCH connections (src/media/servers.ts) against the FreeSWITCH stand-in through real
 * drachtio-fsmrf: a wrong secret ends in the connect timeout instead of hanging, a dropped server
 * is reconnected, every event socket (inbound and each outbound) has TCP no-delay, and a server
 * with MEDIA_ANCHOR_MAX_PENDING anchors in progress takes no more until one settles.
 */
import { EventEmitter } from 'node:events';
import { Socket } from 'node:net';
import t, { type Test } from 'tap';
import { MediaBusyError } from '../../src/call/media-port.js';
import { fsMediaPort } from '../../src/media/anchor.js';
import { createMrf } from '../../src/media/fsmrf-types.js';
import { MediaServers, parseServer, type ServersDeps } from '../../src/media/servers.js';
import { createLogger } from '../../src/observability/logger.js';
import { start } from '../fsstandin/index.js';
import { standUp } from '../helpers/standin-bed.js';
import { waitFor } from '../helpers/wait.js';

const SECRET = 'ClueCon-int';
const logger = createLogger('silent');

/**
 * MediaServers connected to a FreeSWITCH stand-in; `deps` on top of the defaults. The stand-in
 * is `bed.fs`: a test that starts another in its place sets it there, and the teardown closes it.
 */
async function connected(t: Test, deps: Partial<ServersDeps> = {}) {
  const app = (await standUp(t)).app;
  const bed = { fs: await start({ sipPort: 0, eslPort: 0, secret: SECRET }) };
  const specs = [{ host: '127.0.0.1', port: bed.fs.eslAddress.port, secret: SECRET }];
  const servers = new MediaServers(specs, {
    mrf: createMrf(app),
    listenAddress: '127.0.0.1',
    connectTimeoutMs: 1000,
    maxPendingAnchors: 32,
    logger,
    ...deps,
  });
  t.teardown(async () => {
    servers.close();
    await bed.fs.close();
  });
  await servers.start();
  return Object.assign(bed, { servers });
}

t.test('parseServer keeps colons in the secret', async (t) => {
  t.same(parseServer('fs.example:8021:a:b'), { host: 'fs.example', port: 8021, secret: 'a:b' });
});

t.test('a wrong secret fails within the connect timeout and says so', async (t) => {
  const bed = await standUp(t);
  const fs = await start({ sipPort: 0, eslPort: 0, secret: SECRET });
  t.teardown(() => fs.close());
  const servers = new MediaServers([{ ...fs.eslAddress, host: '127.0.0.1', secret: 'wrong' }], {
    mrf: createMrf(bed.app),
    listenAddress: '127.0.0.1',
    connectTimeoutMs: 300,
    maxPendingAnchors: 32,
    logger,
  });
  t.teardown(() => servers.close());
  const began = Date.now();
  await servers.start();
  t.ok(Date.now() - began < 5000, 'start() settled');
  t.equal(servers.connected, 0);
  t.equal(servers.take(), undefined, 'no server to take: not the same as busy');
  t.match(servers.describe(), /down: no answer within 300 ms \(wrong secret\?\)/);
});

t.test('reconnects after the server went away; no-delay on every event socket', async (t) => {
  const noDelay = new Set<Socket>();
  const original = Socket.prototype.setNoDelay;
  Socket.prototype.setNoDelay = function (this: Socket, on?: boolean) {
    if (on !== false) noDelay.add(this);
    return original.call(this, on);
  };
  t.teardown(() => {
    Socket.prototype.setNoDelay = original;
  });
  const changes: number[] = [];
  const bed = await connected(t, { onChange: (n) => changes.push(n) });
  const { servers } = bed;
  const port = bed.fs.eslAddress.port;
  t.equal(servers.connected, 1);
  const lease = servers.take();
  if (!lease || lease === 'busy') return t.fail(`a server to take, got ${lease}`);
  const { ms } = lease;
  const inbound = ms.conn.socket;
  t.ok(inbound && noDelay.has(inbound), 'no-delay on the inbound event socket');
  const ep = await ms.createEndpoint({
    remoteSdp:
      'v=0\r\no=x 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\n',
  });
  const listenPort = (ms as unknown as { listenPort: number }).listenPort;
  t.ok(
    [...noDelay].some((s) => s.localPort === listenPort),
    "no-delay on FreeSWITCH's outbound event socket",
  );
  await ep.destroy();
  t.equal(servers.pendingAnchors, 1, 'the lease counts until given back');

  await bed.fs.close();
  await waitFor(() => servers.connected === 0 || undefined, 3000, 'the loss');
  t.equal(servers.pendingAnchors, 0, 'a lost connection counts nothing');
  t.match(servers.describe(), /down: connection lost/);
  bed.fs = await start({ sipPort: 0, eslPort: port, secret: SECRET });
  await waitFor(() => servers.connected === 1 || undefined, 5000, 'the reconnect');
  t.match(servers.describe(), /^127\.0\.0\.1:\d+ connected$/);
  t.same(changes, [1, 0, 1], 'every change reported');
  lease.done();
  t.equal(servers.pendingAnchors, 0, "the old connection's lease leaves the new one's count alone");
});

t.test('a server with maxPendingAnchors in progress takes no more until one settles', async (t) => {
  const reported: number[] = [];
  const { servers } = await connected(t, {
    maxPendingAnchors: 2,
    holdMaxMs: 400,
    onPending: (n) => reported.push(n),
  });
  const first = servers.take();
  const second = servers.take();
  if (!first || first === 'busy' || !second || second === 'busy')
    return t.fail(`two leases, got ${first} and ${second}`);
  t.equal(servers.take(), 'busy', 'the third is refused: busy, not "no server"');
  t.equal(servers.pendingAnchors, 2);
  first.done();
  first.done();
  t.equal(servers.pendingAnchors, 1, 'a lease given back twice counts once');
  const third = servers.take();
  if (!third || third === 'busy') return t.fail(`room again after one settled, got ${third}`);
  t.equal(servers.take(), 'busy');
  third.done();
  // `second` is never given back, as when drachtio-srf drops a request with its connection
  await waitFor(() => servers.pendingAnchors === 0 || undefined, 3000, 'the hold limit');
  t.same(reported, [1, 2, 1, 2, 1, 0], 'every change reported');
  second.done();
  t.equal(servers.pendingAnchors, 0, 'given back after the hold limit: no second release');
});

t.test("a drachtio connection that closes gives back its port's anchors at once", async (t) => {
  const { servers } = await connected(t, { maxPendingAnchors: 2 });
  // as drachtio-srf does with a request whose connection closed: it never settles
  const dropping = () =>
    Object.assign(new EventEmitter(), { createUAC: () => new Promise(() => {}) });
  const gone = dropping();
  const other = dropping();
  void fsMediaPort(servers, logger, gone).anchor(undefined);
  void fsMediaPort(servers, logger, other).anchor(undefined);
  t.equal(servers.pendingAnchors, 2, 'both anchors wait on their drachtio connection');
  await t.rejects(
    fsMediaPort(servers, logger, other).anchor(undefined),
    MediaBusyError,
    'a third is refused at once',
  );
  gone.emit('close');
  t.equal(servers.pendingAnchors, 1, "only the closed connection's anchor is given back");
  gone.emit('close');
  t.equal(servers.pendingAnchors, 1, 'a second close gives nothing back twice');
});
