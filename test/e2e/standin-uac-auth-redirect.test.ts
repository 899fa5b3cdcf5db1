// What a trunk leg meets on its way through drachtio-server, as v0.9.10 does it (checked by hand
// against the real binary): a 401/407 goes up to the app and sofia ACKs it itself; srf's second
// INVITE (same Call-ID and From tag, CSeq+1) goes out with the credentials as sofia writes them;
// the app's CANCEL keeps its Reason header (nta_outgoing_tcancel copies the tags it is given);
// a 3xx reaches the app with every Contact; a Request-URI asking for a transport the server
// does not listen on (or an address of a family it has none for) is refused, nothing goes on
// the wire.
import { createSocket } from 'node:dgram';
import t from 'tap';
import { peerResponse, UdpPeer } from '../helpers/raw-peer.js';
import { SDP, type SrfRequest } from '../helpers/srf-app.js';
import { replyTo, standUp, toApp } from '../helpers/standin-bed.js';
import { waitFor } from '../helpers/wait.js';

/** Long and with a `#`: no random tag, branch, Call-ID or hex digest can hold it by chance. */
const PASSWORD = 'trunk#secret-7391';

const header = (text: string, name: string) =>
  new RegExp(`^${name}: (.*)$`, 'mi').exec(text)?.[1]?.trim();
const cseq = (text: string) => Number(/^CSeq: (\d+)/m.exec(text)?.[1]);
const fromTag = (text: string) => /tag=([^;\s>]+)/.exec(header(text, 'From') ?? '')?.[1];

for (const [status, challenge, credentials] of [
  ['401 Unauthorized', 'WWW-Authenticate', 'Authorization'],
  ['407 Proxy Authentication Required', 'Proxy-Authenticate', 'Proxy-Authorization'],
] as const) {
  t.test(
    `${status}: ACKed by the server, up to the app, then the INVITE again with ${credentials}; the CANCEL keeps its Reason`,
    async (t) => {
      const { standin, app } = await standUp(t);
      const peer = await UdpPeer.open(t);
      const port = standin.sipAddress.port;
      const outcome: { status?: number } = {};
      let invite: SrfRequest | undefined;
      app
        .createUAC(
          `sip:+4930123@127.0.0.1:${peer.port}`,
          { localSdp: SDP, auth: { username: 'gw', password: PASSWORD } },
          {
            cbRequest: (_err: unknown, req: SrfRequest) => {
              invite = req;
            },
            cbProvisional: (res) => {
              if (res.status === 180)
                invite?.cancel({
                  headers: { Reason: 'Q.850;cause=19;text="No answer from user"' },
                });
            },
          },
        )
        .catch((err: { status?: number }) => {
          outcome.status = err.status;
        });
      const first = await peer.next((m) => m.startsWith('INVITE'), 'first INVITE');
      t.notOk(header(first, credentials), 'no credentials before the challenge');
      peer.send(
        peerResponse(first, status, [
          `${challenge}: Digest realm="trunk.example", nonce="n1", qop="auth"`,
        ]),
        port,
      );
      const ack = await peer.next((m) => m.startsWith('ACK'), 'ACK for the challenge');
      t.equal(cseq(ack), cseq(first), 'the ACK is the challenge transaction’s (sofia sends it)');
      const second = await peer.next(
        (m) => m.startsWith('INVITE') && header(m, credentials) !== undefined,
        'INVITE with credentials',
      );
      t.equal(header(second, 'Call-ID'), header(first, 'Call-ID'), 'same Call-ID');
      t.equal(cseq(second), cseq(first) + 1, 'CSeq + 1');
      t.equal(fromTag(second), fromTag(first), 'same From tag');
      t.match(
        header(second, credentials),
        /^Digest username="gw", realm="trunk\.example", nonce="n1", uri="sip:\+4930123@127\.0\.0\.1:\d+", response="[0-9a-f]{32}", algorithm=MD5, qop=auth, nc=00000001, cnonce="[0-9a-f]+"$/,
        'written as sofia writes it',
      );
      t.notOk(second.includes(PASSWORD), 'the password itself is not on the wire');
      const up = toApp(standin.trace, 'sip').map((f) => f.sip.split('\r\n')[0]);
      t.same(up, [`SIP/2.0 ${status}`], 'the challenge went up to the app');
      peer.send(peerResponse(second, '180 Ringing'), port);
      const cancel = await peer.next((m) => m.startsWith('CANCEL'), 'CANCEL');
      t.equal(header(cancel, 'Reason'), 'Q.850;cause=19;text="No answer from user"');
      t.equal(cseq(cancel), cseq(second), 'the CANCEL is for the second INVITE');
      peer.send(peerResponse(cancel, '200 OK'), port);
      peer.send(peerResponse(second, '487 Request Terminated'), port);
      await waitFor(() => outcome.status, 3000, 'createUAC to fail');
      t.equal(outcome.status, 487);
    },
  );
}

t.test(
  'a second challenge is the final answer: srf answers one challenge per INVITE',
  async (t) => {
    const { standin, app } = await standUp(t);
    const peer = await UdpPeer.open(t);
    const port = standin.sipAddress.port;
    const failed = app
      .createUAC(`sip:+4930123@127.0.0.1:${peer.port}`, {
        localSdp: SDP,
        auth: { username: 'gw', password: 'wrong' },
      })
      .then(
        () => 200,
        (err: { status?: number }) => err.status,
      );
    const first = await peer.next((m) => m.startsWith('INVITE'), 'first INVITE');
    const challenge = ['WWW-Authenticate: Digest realm="trunk.example", nonce="n1"'];
    peer.send(peerResponse(first, '401 Unauthorized', challenge), port);
    const second = await peer.next(
      (m) => m.startsWith('INVITE') && /Authorization/.test(m),
      'retry',
    );
    peer.send(peerResponse(second, '401 Unauthorized', challenge), port);
    t.equal(await failed, 401);
    await waitFor(
      () => (peer.firstLines().filter((l) => l.startsWith('ACK')).length === 2 ? true : undefined),
      3000,
      'both challenges ACKed',
    );
    t.equal(peer.firstLines().filter((l) => l.startsWith('INVITE')).length, 2, 'no third INVITE');
  },
);

t.test('a 3xx reaches the app with every Contact, ACKed by the server', async (t) => {
  const { standin, app } = await standUp(t);
  const peer = await UdpPeer.open(t);
  const failed = app.createUAC(`sip:+4930123@127.0.0.1:${peer.port}`, { localSdp: SDP }).then(
    () => undefined,
    (err: { status?: number; res?: { get(n: string): string } }) => err,
  );
  const invite = await peer.next((m) => m.startsWith('INVITE'), 'INVITE');
  peer.send(
    peerResponse(invite, '302 Moved Temporarily', [
      'Contact: <sip:+4930111@10.0.0.1>;q=0.5, <sip:+4930222@10.0.0.2>;q=0.9',
      'Contact: <sip:+4930333@10.0.0.3>',
    ]),
    standin.sipAddress.port,
  );
  const err = await failed;
  t.equal(err?.status, 302);
  // drachtio-server v0.9.10 passed the same response up as these joined values
  t.equal(
    err?.res?.get('Contact'),
    '<sip:+4930111@10.0.0.1>;q=0.5, <sip:+4930222@10.0.0.2>;q=0.9,<sip:+4930333@10.0.0.3>',
  );
  await peer.next((m) => m.startsWith('ACK'), 'ACK for the 302');
});

t.test(';transport=tls or ws without such a transport: refused, nothing sent', async (t) => {
  const { standin, app } = await standUp(t);
  const peer = await UdpPeer.open(t);
  for (const uri of [
    `sip:+4930123@127.0.0.1:${peer.port};transport=tls`,
    `sips:+4930123@127.0.0.1:${peer.port};transport=tls`,
    `sip:+4930123@127.0.0.1:${peer.port};transport=ws`,
  ]) {
    const err = await app.createUAC(uri, { localSdp: SDP }).then(
      () => undefined,
      (e: Error & { status?: number }) => e,
    );
    t.equal(err?.message, 'requested protocol/transport not available', uri);
    t.equal(err?.status, undefined, 'no SIP status: the dialer counts it unreachable');
    t.ok(replyTo(standin.trace, new RegExp(`^INVITE ${uri.replace(/[.+]/g, '\\$&')} `)), 'asked');
  }
  await new Promise((r) => setTimeout(r, 200));
  t.same(peer.received, [], 'nothing on the wire');
});

t.test(
  'an IPv6 address on a server with IPv4 contacts: refused as a transport, nothing sent',
  async (t) => {
    const { standin, app } = await standUp(t);
    const socket = createSocket('udp6');
    const received: Buffer[] = [];
    socket.on('message', (m) => received.push(m));
    await new Promise<void>((resolve) => socket.bind(0, '::1', () => resolve()));
    t.teardown(() => socket.close());
    const uri = `sip:+4930123@[::1]:${socket.address().port}`;
    const err = await app.createUAC(uri, { localSdp: SDP }).then(
      () => undefined,
      (e: Error & { status?: number }) => e,
    );
    t.equal(err?.message, 'requested protocol/transport not available');
    t.equal(err?.status, undefined, 'no SIP status: the dialer counts it unreachable');
    t.ok(replyTo(standin.trace, /^INVITE sip:\+4930123@\[::1\]:/), 'asked');
    await new Promise((r) => setTimeout(r, 200));
    t.same(received, [], 'nothing on the wire');
  },
);

t.test(
  'a host name that resolves nowhere: the stack’s 503 DNS Error at once, nothing sent',
  async (t) => {
    const { standin, app } = await standUp(t);
    // .invalid never resolves (RFC 2606): the same on a machine with DNS and on one without
    for (const uri of ['sip:+4930123@pbx.invalid', 'sip:+4930123@pbx.invalid:5080;transport=tcp']) {
      const err = await app.createUAC(uri, { localSdp: SDP }).then(
        () => undefined,
        (e: Error & { status?: number }) => e,
      );
      t.equal(err?.status, 503, `${uri}: a SIP answer, not a refusal`);
      const nowhere = ['0', 'unknown', '', '0'];
      const invite = new RegExp(`^INVITE ${uri.replace(/[.+]/g, '\\$&')} `);
      t.same(replyTo(standin.trace, invite)?.tokens.slice(5, 9), nowhere, 'taken, sent nowhere');
      const answer = toApp(standin.trace, 'sip').find(
        (f) =>
          f.sip.startsWith('SIP/2.0 503') &&
          f.tokens[8] === replyTo(standin.trace, invite)?.tokens[10],
      );
      t.match(answer?.sip, /^SIP\/2\.0 503 DNS Error\r\n/, 'the stack’s own answer');
      t.same(answer?.tokens.slice(2, 7), ['network', ...nowhere], 'from no transport');
    }
  },
);

t.test('sips: naming no transport: the stack’s 416 at once, nothing sent', async (t) => {
  const { standin, app } = await standUp(t);
  const peer = await UdpPeer.open(t);
  const uri = `sips:+4930123@127.0.0.1:${peer.port}`;
  const err = await app.createUAC(uri, { localSdp: SDP }).then(
    () => undefined,
    (e: Error & { status?: number }) => e,
  );
  t.equal(err?.status, 416, 'sofia has no transport for it: 416');
  const nowhere = ['0', 'unknown', '', '0'];
  t.same(
    replyTo(standin.trace, /^INVITE sips:/)?.tokens.slice(5, 9),
    nowhere,
    'taken, sent nowhere',
  );
  const answer = toApp(standin.trace, 'sip').find((f) => f.sip.startsWith('SIP/2.0 416'));
  t.match(answer?.sip, /^SIP\/2\.0 416 Unsupported URI Scheme\r\n/, 'the stack’s own answer');
  t.same(answer?.tokens.slice(2, 7), ['network', ...nowhere], 'from no transport');
  await new Promise((r) => setTimeout(r, 200));
  t.same(peer.received, [], 'nothing on the wire');
});

t.test('a CANCEL held until the first provisional keeps its Reason', async (t) => {
  const { standin, app } = await standUp(t);
  const peer = await UdpPeer.open(t);
  const failed = app
    .createUAC(
      `sip:+4930123@127.0.0.1:${peer.port}`,
      { localSdp: SDP },
      {
        cbRequest: (_err: unknown, req: SrfRequest) =>
          req.cancel({ headers: { Reason: 'SIP;cause=487;text="Caller cancelled"' } }),
      },
    )
    .then(
      () => 200,
      (err: { status?: number }) => err.status,
    );
  const invite = await peer.next((m) => m.startsWith('INVITE'), 'INVITE');
  await waitFor(() => replyTo(standin.trace, /^CANCEL /), 3000, 'CANCEL echo');
  t.notOk(
    peer.firstLines().some((l) => l.startsWith('CANCEL')),
    'held: nothing received yet',
  );
  peer.send(peerResponse(invite, '100 Trying'), standin.sipAddress.port);
  const cancel = await peer.next((m) => m.startsWith('CANCEL'), 'CANCEL after the 100');
  t.equal(header(cancel, 'Reason'), 'SIP;cause=487;text="Caller cancelled"');
  peer.send(peerResponse(cancel, '200 OK'), standin.sipAddress.port);
  peer.send(peerResponse(invite, '487 Request Terminated'), standin.sipAddress.port);
  t.equal(await failed, 487);
});
