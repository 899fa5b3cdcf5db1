/**
 * SIP over TCP at its edges, as drachtio-server v0.9.10 (sofia-sip's tport and msg parser) reads
 * a stream: a caller gone before the app answers, framing without or beyond Content-Length,
 * keep-alive whitespace, whitespace or garbage before a message, a line sofia's log cuts short,
 * the FIN after a stateless reply. Every case runs on the real server (`TEST_DRACHTIO_BIN`)
 * unchanged.
 */
import { createSocket } from 'node:dgram';
import { createServer, type Socket } from 'node:net';
import type { Test } from 'tap';
import t from 'tap';
import { tcpCaller, tcpInvite } from '../helpers/raw-peer.js';
import { SDP, type SrfRequest, type SrfResponse } from '../helpers/srf-app.js';
import { routesTaken, standUp } from '../helpers/standin-bed.js';
import { waitFor } from '../helpers/wait.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A stand-in whose app keeps every INVITE it is offered, unanswered. */
async function holdingInvites(t: Test) {
  const bed = await standUp(t);
  const invites: { req: SrfRequest; res: SrfResponse }[] = [];
  bed.app.invite((req, res) => {
    invites.push({ req, res });
  });
  await routesTaken(bed.standin.trace);
  const callIds = () => invites.map((i) => i.req.get('Call-ID'));
  return { ...bed, port: bed.standin.sipAddress.port, invites, callIds };
}

function answer(res: SrfResponse, status: number): Promise<string> {
  return new Promise((resolve) =>
    res.send(status, {}, (err) => resolve(err ? String(err) : 'sent')),
  );
}

t.test(
  'a caller that closed its connection before the app answered: the answer is refused, nothing sent',
  async (t) => {
    const { port, invites } = await holdingInvites(t);
    // where its Via points: the server opens no connection there either
    const connections: Socket[] = [];
    const sentBy = createServer((s) => connections.push(s));
    await new Promise<void>((r) => sentBy.listen(0, '127.0.0.1', r));
    t.teardown(() => {
      for (const s of connections) s.destroy();
      sentBy.close();
    });
    const viaPort = (sentBy.address() as { port: number }).port;
    const caller = await tcpCaller(t, port);
    caller.socket.write(tcpInvite({ port, viaPort, callId: 'gone' }));
    const { res } = await waitFor(() => invites[0], 3000, 'the INVITE at the app');
    caller.socket.end();
    await sleep(300);
    // controller.cpp setupLegForIncomingRequest: the pending request is taken out, its tport shut
    t.equal(await answer(res, 180), 'Response not sent due to unknown transaction');
    t.equal(await answer(res, 486), 'Response not sent due to unknown transaction', 'and later');
    await sleep(300);
    t.same(caller.statusLines(), ['SIP/2.0 100 Trying'], 'the caller had its 100 only');
    t.equal(connections.length, 0, 'no connection to the Via’s sent-by');
  },
);

t.test('no Content-Length and a body: 400, FIN, nothing more read', async (t) => {
  const { port, callIds } = await holdingInvites(t);
  const caller = await tcpCaller(t, port);
  caller.socket.write(
    tcpInvite({ port, viaPort: caller.port, callId: 'no-cl', contentLength: null }),
  );
  await waitFor(() => caller.state.ended || undefined, 3000, 'the FIN');
  t.same(caller.statusLines(), ['SIP/2.0 400 Bad Request']);
  t.match(
    caller.state.got,
    new RegExp(`^Via: SIP/2\\.0/TCP [^\\r]*;rport=${caller.port}\\r$`, 'm'),
  );
  caller.socket.write(tcpInvite({ port, viaPort: caller.port, callId: 'after' }));
  await sleep(400);
  t.same(callIds(), [], 'the app saw neither');
});

t.test(
  'no Content-Length and nothing after the headers: waits; bytes after make it bad',
  async (t) => {
    const { port, callIds } = await holdingInvites(t);
    const caller = await tcpCaller(t, port);
    caller.socket.write(
      tcpInvite({ port, viaPort: caller.port, callId: 'wait', contentLength: null, body: '' }),
    );
    await sleep(400);
    t.same(caller.statusLines(), [], 'nothing yet');
    caller.socket.write('v=0\r\n');
    await waitFor(() => caller.state.ended || undefined, 3000, 'the FIN');
    t.same(caller.statusLines(), ['SIP/2.0 400 Bad Request']);
    t.same(callIds(), []);
  },
);

t.test('a Content-Length beyond the body: waits, then the caller’s FIN draws a 400', async (t) => {
  const { port, callIds } = await holdingInvites(t);
  const caller = await tcpCaller(t, port);
  const longer = Buffer.byteLength(SDP) + 50;
  caller.socket.write(
    tcpInvite({ port, viaPort: caller.port, callId: 'short', contentLength: longer }),
  );
  await sleep(1000);
  t.same(caller.statusLines(), [], 'no timeout ends the wait (TPTAG_TIMEOUT is off for TCP)');
  caller.socket.end();
  await waitFor(() => caller.statusLines()[0], 3000, 'the 400');
  t.same(caller.statusLines(), ['SIP/2.0 400 Bad Request']);
  t.same(callIds(), []);
});

t.test('keep-alives: one pong per read that brings the whitespace to 4 bytes', async (t) => {
  const { standin } = await standUp(t);
  const port = standin.sipAddress.port;
  for (const [what, ping, pong] of [
    ['four CRLF pairs at once', '\r\n\r\n'.repeat(4), '\r\n'],
    ['four spaces', '    ', '\r\n'],
    ['tabs and a CRLF', '\t\t\r\n', '\r\n'],
    ['a lone CRLF', '\r\n', ''],
  ] as const) {
    const peer = await tcpCaller(t, port);
    peer.socket.write(ping);
    await sleep(300);
    t.equal(peer.state.got, pong, what);
  }
});

t.test(
  'whitespace between two messages in one write loses the second and stalls the connection',
  async (t) => {
    const { port, callIds } = await holdingInvites(t);
    const caller = await tcpCaller(t, port);
    const first = tcpInvite({ port, viaPort: caller.port, callId: 'first' });
    const second = tcpInvite({ port, viaPort: caller.port, callId: 'second' });
    caller.socket.write(`${first}\r\n\r\n${second}`);
    await waitFor(() => callIds()[0], 3000, 'the first INVITE');
    caller.socket.write(tcpInvite({ port, viaPort: caller.port, callId: 'third' }));
    await sleep(500);
    t.same(callIds(), ['first'], 'the second is lost, the third never read');
    t.same(caller.statusLines(), ['SIP/2.0 100 Trying'], 'nothing answers the second');
    t.notOk(caller.state.ended, 'no FIN');
  },
);

t.test(
  'a garbage line before an INVITE: nothing answered, the connection read no more',
  async (t) => {
    const { port, callIds } = await holdingInvites(t);
    const caller = await tcpCaller(t, port);
    caller.socket.write(
      `hello there\r\n${tcpInvite({ port, viaPort: caller.port, callId: 'g1' })}`,
    );
    await sleep(400);
    caller.socket.write(tcpInvite({ port, viaPort: caller.port, callId: 'g2' }));
    await sleep(500);
    t.same(callIds(), []);
    t.equal(caller.state.got, '');
    t.notOk(caller.state.ended, 'no FIN');
  },
);

t.test('a line over 8192 bytes: 400 over TCP (then FIN) and over UDP; 8192 passes', async (t) => {
  const { port, callIds } = await holdingInvites(t);
  const ok = await tcpCaller(t, port);
  ok.socket.write(
    tcpInvite({
      port,
      viaPort: ok.port,
      callId: 'line-8192',
      extra: [`X-Long: ${'a'.repeat(8192 - 8)}`],
    }),
  );
  await waitFor(() => callIds()[0], 3000, 'the INVITE whose longest line is 8192 bytes');

  const long = await tcpCaller(t, port);
  const body = `${SDP}a=x:${'c'.repeat(8189)}\r\n`; // an SDP line of 8193 bytes
  long.socket.write(tcpInvite({ port, viaPort: long.port, callId: 'line-8193', body }));
  await waitFor(() => long.state.ended || undefined, 3000, 'the FIN');
  t.same(long.statusLines(), ['SIP/2.0 400 Bad Request']);

  const udp = createSocket('udp4');
  const got: string[] = [];
  udp.on('message', (d) => got.push(d.toString('latin1').split('\r\n')[0] ?? ''));
  await new Promise<void>((r) => udp.bind(0, '127.0.0.1', () => r()));
  t.teardown(() => udp.close());
  const invite = tcpInvite({ port, viaPort: udp.address().port, callId: 'udp-8193', body })
    .replace('SIP/2.0/TCP', 'SIP/2.0/UDP')
    .replace(/;transport=tcp/g, '');
  udp.send(Buffer.from(invite), port, '127.0.0.1');
  await waitFor(() => got[0], 3000, 'the answer over UDP');
  t.same(got, ['SIP/2.0 400 Bad Request']);
  t.same(callIds(), ['line-8192'], 'the app saw the first only');
});

t.test('a 505 over TCP is followed by FIN', async (t) => {
  const { port } = await holdingInvites(t);
  const caller = await tcpCaller(t, port);
  caller.socket.write(
    tcpInvite({ port, viaPort: caller.port, callId: 'v3' }).replace(' SIP/2.0\r\n', ' SIP/3.0\r\n'),
  );
  await waitFor(() => caller.state.ended || undefined, 3000, 'the FIN');
  t.same(caller.statusLines(), ['SIP/2.0 505 Version Not Supported']);
});
