/**
 * The FreeSWITCH connections (src/media/servers.ts) against the FreeSWITCH stand-in through real
 * drachtio-fsmrf: a wrong secret ends in the connect timeout instead of hanging, a dropped server
 * is reconnected, and every event socket (inbound and each outbound) has TCP no-delay.
 */
import { Socket } from 'node:net';
import t from 'tap';
import { createMrf } from '../../src/media/fsmrf-types.js';
import { MediaServers, parseServer } from '../../src/media/servers.js';
import { createLogger } from '../../src/observability/logger.js';
import { start } from '../fsstandin/index.js';
import { standUp } from '../helpers/standin-bed.js';
import { waitFor } from '../helpers/wait.js';

const SECRET = 'ClueCon-int';
const logger = createLogger('silent');

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
    logger,
  });
  t.teardown(() => servers.close());
  const began = Date.now();
  await servers.start();
  t.ok(Date.now() - began < 5000, 'start() settled');
  t.equal(servers.connected, 0);
  t.equal(servers.pick(), undefined, 'no server to pick');
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
  const bed = await standUp(t);
  let fs = await start({ sipPort: 0, eslPort: 0, secret: SECRET });
  const port = fs.eslAddress.port;
  const changes: number[] = [];
  const servers = new MediaServers([{ host: '127.0.0.1', port, secret: SECRET }], {
    mrf: createMrf(bed.app),
    listenAddress: '127.0.0.1',
    connectTimeoutMs: 1000,
    logger,
    onChange: (n) => changes.push(n),
  });
  t.teardown(async () => {
    servers.close();
    await fs.close();
  });
  await servers.start();
  t.equal(servers.connected, 1);
  const ms = servers.pick();
  t.ok(ms, 'a server to pick');
  if (!ms) return;
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

  await fs.close();
  await waitFor(() => servers.connected === 0 || undefined, 3000, 'the loss');
  t.match(servers.describe(), /down: connection lost/);
  fs = await start({ sipPort: 0, eslPort: port, secret: SECRET });
  await waitFor(() => servers.connected === 1 || undefined, 5000, 'the reconnect');
  t.match(servers.describe(), /^127\.0\.0\.1:\d+ connected$/);
  t.same(changes, [1, 0, 1], 'every change reported');
});
