/**
 * SIP over TCP, as drachtio-server serves it with production's contact (`transport=udp,tcp` on one
 * port, config/deploy/docker-compose.yml): a dealer whose URI says `;transport=tcp`, a caller that
 * connects, a peer that refuses, resets, closes or dies. Every case was seen on drachtio-server
 * v0.9.10 (`TEST_DRACHTIO_BIN`) and runs on it unchanged.
 */
import { connect, createServer, type Socket } from 'node:net';
import type { Test } from 'tap';
import t from 'tap';
import { CALLER, TRACKING } from '../helpers/call-bed.js';
import { freeTcpPort } from '../helpers/ports.js';
import { passed, runSipp, startSipp } from '../helpers/sipp.js';
import { connectApp, disconnectApp, newApp, SDP } from '../helpers/srf-app.js';
import {
  ACK_TIMEOUT_MS,
  dialed,
  replyTo,
  SECRET,
  standUp,
  toApp,
  unacknowledgedAnswer,
} from '../helpers/standin-bed.js';
import { waitFor } from '../helpers/wait.js';

/** `network|0|tcp||0`: a response the stack made itself, for a request over TCP. */
const STACK_MADE = ['network', '0', 'tcp', '', '0'];

/** A TCP peer that takes connections and keeps what they send; closed with the test. */
async function rawTcpPeer(t: Test) {
  const sockets: Socket[] = [];
  let received = '';
  const server = createServer((socket) => {
    sockets.push(socket);
    socket.on('data', (chunk) => {
      received += chunk.toString('utf8');
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    for (const s of sockets) s.destroy();
    server.close();
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { port, sockets, received: () => received };
}

t.test('the server offers TCP and UDP on one port, TCP first', async (t) => {
  const { standin } = await standUp(t);
  const app = newApp();
  t.teardown(() => disconnectApp(app));
  const { address, port } = standin.sipAddress;
  t.equal(
    await connectApp(app, standin.adminAddress, SECRET),
    `tcp/${address}:${port},udp/${address}:${port}`,
  );
});

t.test('a dealer over TCP: INVITE, ACK and BYE over TCP, once each; frames say tcp', async (t) => {
  const { standin, app } = await standUp(t);
  const dealer = await startSipp({ scenario: 'sn:uas', transport: 'tcp', timeoutMs: 10_000 });
  const uri = `sip:dealer@127.0.0.1:${dealer.port};transport=tcp`;
  const dialog = await app.createUAC(uri, { localSdp: SDP });
  await dialog.destroy();
  const sipp = await passed(t, dealer, 'dealer');

  const invite = sipp.messages.find(
    (m) => m.dir === 'received' && m.firstLine.startsWith('INVITE'),
  );
  const { port } = standin.sipAddress;
  // no rport over TCP: drachtio asks sofia for it on UDP only (NTATAG_CLIENT_RPORT)
  t.match(
    invite?.text,
    new RegExp(`^Via: SIP/2\\.0/TCP 127\\.0\\.0\\.1:${port};branch=\\S+$`, 'm'),
  );
  t.match(invite?.text, new RegExp(`^Contact: <sip:127\\.0\\.0\\.1:${port};transport=tcp>$`, 'm'));
  t.match(
    invite?.text,
    new RegExp(`^To: <sip:dealer@127\\.0\\.0\\.1:${dealer.port}>;transport=tcp`, 'm'),
  );
  t.same(
    sipp.messages.filter((m) => m.dir === 'received').map((m) => m.firstLine.split(' ')[0]),
    ['INVITE', 'ACK', 'BYE'],
    'the INVITE once (nothing is sent again over TCP), the ACK, the BYE',
  );
  t.match(
    sipp.messages.find((m) => m.firstLine.startsWith('BYE'))?.text,
    /^Via: SIP\/2\.0\/TCP /m,
    'the BYE over TCP too',
  );

  // `…|OK|application|<bytes>|tcp|<peer>|<port>|…`: over TCP the echo names the peer
  const sent = replyTo(standin.trace, /^INVITE /)?.tokens;
  t.same(
    [sent?.[4], ...(sent?.slice(6, 9) ?? [])],
    ['application', 'tcp', '127.0.0.1', String(dealer.port)],
    'the INVITE went to the dealer over tcp',
  );
  const ok = toApp(standin.trace, 'sip').find(
    (f) => f.sip.startsWith('SIP/2.0 200 OK') && /^CSeq: \d+ INVITE/m.test(f.sip),
  );
  t.same(
    ok?.tokens.slice(4, 7),
    ['tcp', '127.0.0.1', String(dealer.port)],
    'its 200 from the dealer over tcp',
  );
  t.ok(
    standin.trace.some((r) => r.kind === 'sip' && r.dir === 'out' && r.transport === 'tcp'),
    'the trace says tcp',
  );
});

t.test('a TCP port nobody listens on: the stack’s 503 at once', async (t) => {
  const { standin, app } = await standUp(t);
  const port = await freeTcpPort();
  const started = Date.now();
  t.equal(await dialed(app, `sip:dealer@127.0.0.1:${port};transport=tcp`), 503);
  t.ok(Date.now() - started < 1000, `refused in ${Date.now() - started} ms`);
  const answer = toApp(standin.trace, 'sip').find((f) => f.sip.startsWith('SIP/2.0 503'));
  t.same(answer?.tokens.slice(2, 7), STACK_MADE, 'the 503 came from no address, over tcp');
  t.match(answer?.sip, /^To: .*;tag=/m, 'its To is tagged');
});

t.test('a TCP peer that never answers: the INVITE once, the stack’s 408 at timer B', async (t) => {
  const { standin, app } = await standUp(t);
  const peer = await rawTcpPeer(t);
  const started = Date.now();
  const status = await dialed(app, `sip:dealer@127.0.0.1:${peer.port};transport=tcp`);
  const took = Date.now() - started;
  t.equal(status, 408);
  // timer B is 64×T1, 3.2 s with the tests' T1 of 50 ms
  t.ok(took >= 3000 && took < 6000, `408 after ${took} ms`);
  t.equal(peer.received().match(/^INVITE /gm)?.length, 1, 'sent once, never again');
  const answer = toApp(standin.trace, 'sip').find((f) => f.sip.startsWith('SIP/2.0 408'));
  t.same(answer?.tokens.slice(2, 7), STACK_MADE);
});

t.test(
  'a peer that resets its connection fails the INVITE at once; one that closes it does not',
  async (t) => {
    const { app } = await standUp(t);
    const peer = await rawTcpPeer(t);
    const uri = `sip:dealer@127.0.0.1:${peer.port};transport=tcp`;

    let started = Date.now();
    const reset = dialed(app, uri);
    await waitFor(() => peer.received().includes('INVITE '), 3000, 'the first INVITE');
    peer.sockets[0]?.resetAndDestroy();
    t.equal(await reset, 503, 'reset: the stack’s 503');
    t.ok(Date.now() - started < 1000, `at once (${Date.now() - started} ms)`);

    started = Date.now();
    const closed = dialed(app, uri);
    await waitFor(() => (peer.sockets.length === 2 ? true : undefined), 3000, 'a new connection');
    await waitFor(
      () => (peer.received().match(/^INVITE /gm)?.length === 2 ? true : undefined),
      3000,
      'the second INVITE',
    );
    peer.sockets[1]?.end();
    // "no coupling between TCP connection state and SIP" (nta.c): the transaction runs to timer B
    t.equal(await closed, 408, 'closed cleanly: timer B’s 408');
    t.ok(Date.now() - started >= 3000, `after ${Date.now() - started} ms`);
  },
);

t.test(
  'a caller over TCP: its INVITE framed tcp, the answer and the BYE on its connection',
  async (t) => {
    const { standin, app } = await standUp(t);
    app.invite((req, res) => {
      app.createUAS(req, res, { localSdp: SDP }).then(
        (dialog) => setTimeout(() => dialog.destroy().catch(() => undefined), 200),
        () => undefined,
      );
    });
    const caller = await runSipp({
      scenario: 'uac-expect-200-await-bye.xml',
      remote: standin.sipAddress,
      keys: { caller: CALLER, called: TRACKING },
      transport: 'tcp',
      timeoutMs: 10_000,
    });
    t.match(caller, { exitCode: 0 }, `caller: ${caller.errors}`);
    const invite = toApp(standin.trace, 'sip').find((f) => f.sip.startsWith('INVITE '));
    const { address, port } = standin.sipAddress;
    t.same(invite?.tokens.slice(4, 6), ['tcp', '127.0.0.1'], 'framed tcp from the caller');
    t.same(invite?.tokens.slice(10, 12), [address, String(port)], 'received on the SIP port');
    const source = invite?.tokens[6];
    t.match(
      invite?.sip,
      new RegExp(`^Via: SIP/2\\.0/TCP [^\\r\\n]*;rport=${source}`, 'm'),
      'rport stamped',
    );
    const ok = caller.messages.find(
      (m) => m.dir === 'received' && m.firstLine.startsWith('SIP/2.0 200'),
    );
    t.match(ok?.text, new RegExp(`^Contact: <sip:127\\.0\\.0\\.1:${port};transport=tcp>$`, 'm'));
    const bye = caller.messages.find((m) => m.dir === 'received' && m.firstLine.startsWith('BYE'));
    t.match(bye?.text, /^Via: SIP\/2\.0\/TCP /m, 'the app’s BYE came over TCP');
  },
);

t.test(
  'a caller over TCP that never ACKs: the 200 once, then the server’s BYE',
  { timeout: ACK_TIMEOUT_MS + 30_000 },
  async (t) => {
    const { caller, reason } = await unacknowledgedAnswer(t, 'tcp');
    const got = caller.messages.filter((m) => m.dir === 'received');
    // drachtio retransmits a 2xx itself on UDP only (`if (tport_is_dgram(tp))`)
    t.equal(got.filter((m) => m.firstLine.startsWith('SIP/2.0 200')).length, 1, 'the 200 once');
    t.match(
      got.find((m) => m.firstLine.startsWith('BYE'))?.text,
      /^Reason: SIP;cause=200;text="ACK timeout"/m,
      'then the BYE, over the same TCP connection',
    );
    t.equal(reason, 'ACK timeout', 'the app told why');
  },
);

t.test('a TCP dealer killed mid-call: the next request gets the stack’s 503 at once', async (t) => {
  const { app } = await standUp(t);
  const dealer = await startSipp({ scenario: 'sn:uas', transport: 'tcp', timeoutMs: 10_000 });
  const dialog = await app.createUAC(`sip:dealer@127.0.0.1:${dealer.port};transport=tcp`, {
    localSdp: SDP,
  });
  dealer.kill();
  await dealer.done;
  // the server sees the connection close; the next request opens a new one, which is refused
  await new Promise((r) => setTimeout(r, 200));
  const started = Date.now();
  const res = await dialog.request({ method: 'OPTIONS' });
  t.equal(res.status, 503);
  t.equal(res.source_address, '', 'made by the stack');
  t.ok(Date.now() - started < 1000, `at once (${Date.now() - started} ms)`);
});

t.test('a double CRLF gets a CRLF back; a single one nothing', async (t) => {
  const { standin } = await standUp(t);
  const socket = connect(standin.sipAddress.port, '127.0.0.1');
  t.teardown(() => socket.destroy());
  let got = '';
  socket.on('data', (chunk) => {
    got += chunk.toString('latin1');
  });
  await new Promise((r) => socket.once('connect', r));
  socket.write('\r\n');
  await new Promise((r) => setTimeout(r, 300));
  t.equal(got, '', 'a pong is not answered');
  socket.write('\r\n\r\n');
  t.equal(await waitFor(() => got || undefined, 2000, 'the pong'), '\r\n');
});
