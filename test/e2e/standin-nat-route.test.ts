/**
 * drachtio-server's NAT detection, on in production (no --disable-nat-detection): a peer whose
 * Contact does not name the address it sent from gets every request inside the dialog at that
 * address, the Contact kept as the Request-URI. A dealer's PBX behind NAT answers with a private
 * Contact, or a host name only its own network resolves; calls to it must still end and be kept
 * alive. Every case was seen on drachtio-server v0.9.10 (`TEST_DRACHTIO_BIN`) and runs on it.
 */
import { connect, createServer, type Socket } from 'node:net';
import type { Test } from 'tap';
import t from 'tap';
import { answeringPeer, inDialog, peerInvite, peerResponse, UdpPeer } from '../helpers/raw-peer.js';
import type { SrfDialog, SrfMessage } from '../helpers/srf-app.js';
import { SDP } from '../helpers/srf-app.js';
import { replyTo, routesTaken, standUp, toApp } from '../helpers/standin-bed.js';
import { waitFor } from '../helpers/wait.js';

/** `<source>|0|unknown||0`: taken by the stack and sent nowhere, or its own answer. */
const NOWHERE = ['0', 'unknown', '', '0'];

const firstLines = (messages: readonly string[]) => messages.map((m) => m.split('\r\n')[0]);

/** A UDP dealer that answers its INVITE 200 with `contact` (and `extra`), anything else 200. */
const udpDealer = (t: Test, contact: (port: number) => string, extra: string[] = []) =>
  answeringPeer(t, (text, reply, peer) => {
    if (text.startsWith('ACK')) return;
    const invite = text.startsWith('INVITE');
    const headers = invite
      ? [`Contact: ${contact(peer.port)}`, ...extra, 'Content-Type: application/sdp']
      : [];
    reply(peerResponse(text, '200 OK', headers, invite ? SDP : '', 'dealer1'));
  });

/** Splits a TCP stream into SIP messages by Content-Length. */
function sipStream(socket: Socket, onMessage: (text: string) => void): void {
  let buffered = '';
  socket.on('data', (chunk) => {
    buffered += chunk.toString('utf8');
    for (;;) {
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = Number(/^content-length:\s*(\d+)/im.exec(buffered.slice(0, end))?.[1] ?? 0);
      if (buffered.length < end + 4 + length) return;
      onMessage(buffered.slice(0, end + 4 + length));
      buffered = buffered.slice(end + 4 + length);
    }
  });
  socket.on('error', () => undefined);
}

/** A TCP dealer like udpDealer; what each connection received, in the order they came. */
async function tcpDealer(t: Test, contact: (port: number) => string) {
  const connections: { socket: Socket; received: string[] }[] = [];
  const server = createServer((socket) => {
    const connection = { socket, received: [] as string[] };
    connections.push(connection);
    sipStream(socket, (text) => {
      connection.received.push(text);
      if (text.startsWith('SIP/2.0') || text.startsWith('ACK')) return;
      const invite = text.startsWith('INVITE');
      const headers = invite ? [`Contact: ${contact(port)}`, 'Content-Type: application/sdp'] : [];
      socket.write(peerResponse(text, '200 OK', headers, invite ? SDP : '', 'dealer1'));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  t.teardown(() => {
    for (const c of connections) c.socket.destroy();
    server.close();
  });
  return { port, connections };
}

/** OPTIONS, then BYE, inside the dialog: each one's answer (or srf's rejection). */
async function optionsThenBye(dialog: SrfDialog) {
  const outcome = (p: Promise<unknown>) =>
    p.then(
      (res) => res as SrfMessage,
      (err: Error & { status?: number }) => err,
    );
  const options = await outcome(dialog.request({ method: 'OPTIONS' }));
  const bye = await outcome(dialog.destroy());
  return { options, bye };
}

t.test(
  'a dealer answering with a Contact that is not its address gets its requests there',
  async (t) => {
    for (const contact of [
      () => '<sip:dealer@10.0.0.5:5060>',
      (port: number) => `<sip:dealer@pbx.invalid:${port}>`,
    ]) {
      await t.test(contact(0), async (t) => {
        const { standin, app } = await standUp(t);
        const dealer = await udpDealer(t, contact);
        const dialog = await app.createUAC(`sip:dealer@127.0.0.1:${dealer.port}`, {
          localSdp: SDP,
        });
        await dealer.next((m) => m.startsWith('ACK'), 'the ACK at the dealer');
        const { options } = await optionsThenBye(dialog);
        t.equal((options as SrfMessage).status, 200, 'the OPTIONS answered by the dealer');
        await dealer.next((m) => m.startsWith('BYE'), 'the BYE at the dealer');
        const target = /<(.*)>/.exec(contact(dealer.port))?.[1] ?? '';
        t.same(
          firstLines(dealer.received),
          ['INVITE', 'ACK', 'OPTIONS', 'BYE'].map((m, i) =>
            i === 0
              ? `INVITE sip:dealer@127.0.0.1:${dealer.port} SIP/2.0`
              : `${m} ${target} SIP/2.0`,
          ),
          'each at the address the 200 came from, the Contact as Request-URI',
        );
        t.notOk(
          dealer.received.some((m) => /^Route:/im.test(m)),
          'no Route header: the address is the next hop, not a route',
        );
        const answer = toApp(standin.trace, 'sip').find(
          (f) => f.sip.startsWith('SIP/2.0 200') && /^CSeq: \d+ OPTIONS/m.test(f.sip),
        );
        t.same(answer?.tokens.slice(4, 7), ['udp', '127.0.0.1', String(dealer.port)]);
      });
    }
  },
);

t.test(
  'a Contact on the dealer’s own host, another port: no NAT route (the port is not compared)',
  async (t) => {
    const { app } = await standUp(t);
    const other = await udpDealer(t, (port) => `<sip:dealer@127.0.0.1:${port}>`);
    const dealer = await udpDealer(t, () => `<sip:dealer@127.0.0.1:${other.port}>`);
    const dialog = await app.createUAC(`sip:dealer@127.0.0.1:${dealer.port}`, { localSdp: SDP });
    await other.next((m) => m.startsWith('ACK'), 'the ACK at the Contact');
    const { options } = await optionsThenBye(dialog);
    t.equal((options as SrfMessage).status, 200);
    await other.next((m) => m.startsWith('BYE'), 'the BYE at the Contact');
    t.same(firstLines(dealer.received), [`INVITE sip:dealer@127.0.0.1:${dealer.port} SIP/2.0`]);
    t.same(
      firstLines(other.received).map((l) => l?.split(' ')[0]),
      ['ACK', 'OPTIONS', 'BYE'],
      'the Contact is where they went',
    );
  },
);

t.test('Record-Route: a private first hop means NAT, a host name is looked up', async (t) => {
  await t.test(
    '<sip:10.0.0.9;lr>: the requests go where the 200 came from, with the Route',
    async (t) => {
      const { app } = await standUp(t);
      const dealer = await udpDealer(t, (port) => `<sip:dealer@127.0.0.1:${port}>`, [
        'Record-Route: <sip:10.0.0.9;lr>',
      ]);
      const dialog = await app.createUAC(`sip:dealer@127.0.0.1:${dealer.port}`, { localSdp: SDP });
      await dealer.next((m) => m.startsWith('ACK'), 'the ACK at the dealer');
      const { options } = await optionsThenBye(dialog);
      t.equal((options as SrfMessage).status, 200);
      const bye = await dealer.next((m) => m.startsWith('BYE'), 'the BYE at the dealer');
      t.match(bye, /^Route: <sip:10\.0\.0\.9;lr>$/m, 'the route set kept in the request');
    },
  );

  await t.test('<sip:proxy.invalid;lr>: the stack’s 503 DNS Error, nothing sent', async (t) => {
    const { standin, app } = await standUp(t);
    const dealer = await udpDealer(t, (port) => `<sip:dealer@127.0.0.1:${port}>`, [
      'Record-Route: <sip:proxy.invalid;lr>',
    ]);
    const dialog = await app.createUAC(`sip:dealer@127.0.0.1:${dealer.port}`, { localSdp: SDP });
    const { options } = await optionsThenBye(dialog);
    t.equal((options as SrfMessage).status, 503, 'the OPTIONS: a SIP answer, not a refusal');
    for (const method of ['ACK', 'OPTIONS', 'BYE'])
      t.same(
        replyTo(standin.trace, new RegExp(`^${method} `))?.tokens.slice(4, 9),
        ['application', ...NOWHERE],
        `the ${method} taken, sent nowhere`,
      );
    const answers = toApp(standin.trace, 'sip').filter((f) => f.sip.startsWith('SIP/2.0 503'));
    t.same(
      answers.map((f) => [f.sip.split('\r\n')[0], /^CSeq: \d+ (\w+)/m.exec(f.sip)?.[1]]),
      [
        ['SIP/2.0 503 DNS Error', 'OPTIONS'],
        ['SIP/2.0 503 DNS Error', 'BYE'],
      ],
      'the stack answers the OPTIONS and the BYE itself',
    );
    t.same(answers[0]?.tokens.slice(2, 7), ['network', ...NOWHERE], 'from no transport');
    await new Promise((r) => setTimeout(r, 200));
    t.same(firstLines(dealer.received), [`INVITE sip:dealer@127.0.0.1:${dealer.port} SIP/2.0`]);
  });
});

t.test(
  'a TCP dealer with a host-name Contact: its closed connection is opened again to where it was',
  async (t) => {
    const { app } = await standUp(t);
    const dealer = await tcpDealer(t, (port) => `<sip:dealer@pbx.invalid:${port};transport=tcp>`);
    const dialog = await app.createUAC(`sip:dealer@127.0.0.1:${dealer.port};transport=tcp`, {
      localSdp: SDP,
    });
    await waitFor(
      () => dealer.connections[0]?.received.some((m) => m.startsWith('ACK')),
      3000,
      'the ACK',
    );
    dealer.connections[0]?.socket.destroy();
    await new Promise((r) => setTimeout(r, 300));
    const { options } = await optionsThenBye(dialog);
    t.equal((options as SrfMessage).status, 200, 'answered over a new connection');
    t.equal(dealer.connections.length, 2, 'one new connection');
    t.same(firstLines(dealer.connections[1]?.received ?? []), [
      `OPTIONS sip:dealer@pbx.invalid:${dealer.port};transport=tcp SIP/2.0`,
      `BYE sip:dealer@pbx.invalid:${dealer.port};transport=tcp SIP/2.0`,
    ]);
  },
);

/** A UDP caller's INVITE with `contact`, answered by the app: the dialog and the caller. */
async function answeredCaller(t: Test, name: string, contact: (port: number) => string) {
  const { standin, app } = await standUp(t);
  const peer = await UdpPeer.open(t);
  let dialog: Promise<SrfDialog> | undefined;
  app.invite((req, res) => {
    dialog = app.createUAS(req, res, { localSdp: SDP });
  });
  await routesTaken(standin.trace);
  const port = standin.sipAddress.port;
  const ids = { callId: `${name}@127.0.0.1`, tag: 'r1', branch: `z9hG4bK-${name}` };
  const invite = peerInvite(peer, port, ids).replace(
    /^Contact: .*$/m,
    `Contact: ${contact(peer.port)}`,
  );
  peer.send(invite, port);
  const ok = await peer.next((m) => m.startsWith('SIP/2.0 200'), 'the 200');
  peer.send(inDialog('ACK', peer, ok, 1, `z9hG4bK-${name}-ack`), port);
  peer.socket.on('message', (data: Buffer) => {
    const text = data.toString('utf8');
    if (/^(OPTIONS|BYE) /.test(text)) peer.send(peerResponse(text, '200 OK'), port);
  });
  return { standin, peer, dialog: await waitFor(() => dialog, 3000, 'the dialog') };
}

t.test(
  'a UDP caller whose Contact is not its address: the app’s requests go to its address',
  async (t) => {
    for (const contact of [
      () => '<sip:+4930111222333@10.0.0.5:5060>',
      // the caller's own host, another port: over UDP the port is compared for a caller
      (port: number) => `<sip:+4930111222333@127.0.0.1:${port + 1}>`,
    ]) {
      await t.test(contact(0), async (t) => {
        const { peer, dialog } = await answeredCaller(t, 'nat-caller', contact);
        const { options } = await optionsThenBye(dialog);
        t.equal((options as SrfMessage).status, 200);
        await peer.next((m) => m.startsWith('BYE'), 'the BYE at the caller');
        const target = /<(.*)>/.exec(contact(peer.port))?.[1] ?? '';
        t.same(
          firstLines(peer.received).filter((l) => !l?.startsWith('SIP/2.0')),
          [`OPTIONS ${target} SIP/2.0`, `BYE ${target} SIP/2.0`],
        );
      });
    }
  },
);

t.test(
  'a TCP caller with a host-name Contact that closed its connection: the stack’s 503 DNS Error',
  async (t) => {
    const { standin, app } = await standUp(t);
    let dialog: Promise<SrfDialog> | undefined;
    app.invite((req, res) => {
      dialog = app.createUAS(req, res, { localSdp: SDP });
    });
    await routesTaken(standin.trace);
    const { port } = standin.sipAddress;
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const received: string[] = [];
    sipStream(socket, (text) => received.push(text));
    const local = socket.localPort ?? 0;
    const headers = (method: string, cseq: number, toTag = '') => [
      `Via: SIP/2.0/TCP 127.0.0.1:${local};branch=z9hG4bK-tcp-${method}`,
      'Max-Forwards: 70',
      `From: <sip:+4930111222333@pbx.invalid>;tag=c1`,
      `To: <sip:+4930100@127.0.0.1:${port}>${toTag}`,
      'Call-ID: tcp-nat@pbx.invalid',
      `CSeq: ${cseq} ${method}`,
      `Contact: <sip:+4930111222333@pbx.invalid:${local};transport=tcp>`,
    ];
    socket.write(
      [
        `INVITE sip:+4930100@127.0.0.1:${port};transport=tcp SIP/2.0`,
        ...headers('INVITE', 1),
        'Content-Type: application/sdp',
        `Content-Length: ${Buffer.byteLength(SDP)}`,
        '',
        SDP,
      ].join('\r\n'),
    );
    const ok = await waitFor(() => received.find((m) => m.startsWith('SIP/2.0 200')), 3000, '200');
    const toTag = /^To: .*(;tag=[^;\s]+)/m.exec(ok)?.[1] ?? '';
    socket.write(
      [
        `ACK sip:+4930100@127.0.0.1:${port};transport=tcp SIP/2.0`,
        ...headers('ACK', 1, toTag),
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n'),
    );
    const established = await waitFor(() => dialog, 3000, 'the dialog');
    socket.destroy();
    await new Promise((r) => setTimeout(r, 300));
    const { options } = await optionsThenBye(await established);
    t.equal((options as SrfMessage).status, 503, 'a SIP answer, not a refusal');
    const sent = replyTo(standin.trace, /^OPTIONS /);
    t.same(sent?.tokens.slice(4, 9), ['application', ...NOWHERE], 'taken, sent nowhere');
    const answer = toApp(standin.trace, 'sip').find((f) => f.sip.startsWith('SIP/2.0 503'));
    t.match(answer?.sip, /^SIP\/2\.0 503 DNS Error\r\n/, 'the stack’s own answer');
    t.same(answer?.tokens.slice(2, 7), ['network', ...NOWHERE], 'from no transport');
  },
);
