/**
 * A caller kept waiting gets the last 18x again every RINGING_REFRESH_S (RFC 3261 13.3.1.1), and
 * a refresh drachtio-server refuses tells the gateway what drachtio-server never says: it ended
 * the caller's INVITE itself (no PRACK to a reliable 183, a BYE in the early dialog). The dealer
 * then gets CANCEL at once instead of ringing on. That covers a CANCEL a proxy re-branched, which
 * drachtio-server takes for a "CANCEL after 200 OK" and answers itself. Runs on the stand-in and,
 * with TEST_DRACHTIO_BIN, on the real drachtio-server.
 */
import t, { type Test } from 'tap';
import {
  CALLER,
  CUSTOMERS,
  dealerSipp,
  numbersYaml,
  oneCall,
  received,
  receivedAnswer,
  TRACKING,
} from '../helpers/call-bed.js';
import { startGateway } from '../helpers/gateway.js';
import { tcpCaller, tcpInvite, UdpPeer } from '../helpers/raw-peer.js';
import { waitFor } from '../helpers/wait.js';

const REFRESH = { RINGING_REFRESH_S: '1' };
const CALLER_LOST = /^Reason: SIP;cause=408;text="caller lost"\r?$/m;

/** The 183s the sipp side received, in order. */
const progresses = (r: { messages: { dir: string; firstLine: string; text: string }[] }) =>
  r.messages.filter((m) => m.dir === 'received' && m.firstLine.startsWith('SIP/2.0 183'));

t.test(
  'a caller kept waiting gets the dealer’s 183 again every second, with its SDP',
  async (t) => {
    const { gw, caller, dealer } = await oneCall(
      t,
      {
        caller: 'uac-expect-183-then-200-caller-bye.xml',
        dealer: 'uas-early-media-5s-then-answer.xml',
      },
      REFRESH,
    );
    const sent = progresses(caller);
    // 5 s of early media: a refresh each second after the first 183
    t.ok(sent.length >= 4 && sent.length <= 6, `${sent.length} 183s in 5 s`);
    for (const m of sent) t.match(m.text, /^o=second /m, "each with the dealer's SDP");
    t.same(
      dealer.messages.filter((m) => m.dir === 'received').map((m) => m.firstLine.split(' ')[0]),
      ['INVITE', 'ACK', 'BYE'],
      'the dealer is asked nothing more',
    );
    t.match((await gw.records(1))[0], { outcome: 'answered', endedBy: 'caller' });
  },
);

t.test('RINGING_REFRESH_S=0: the 183 goes once', async (t) => {
  const { caller } = await oneCall(
    t,
    {
      caller: 'uac-expect-183-then-200-caller-bye.xml',
      dealer: 'uas-early-media-5s-then-answer.xml',
    },
    { RINGING_REFRESH_S: '0' },
  );
  t.equal(progresses(caller).length, 1);
});

t.test(
  'to a caller that requires 100rel the refresh goes reliably and without SDP; the call is put through',
  async (t) => {
    const d = await dealerSipp('uas-early-media-5s-then-answer.xml');
    const gw = await startGateway(
      t,
      { 'customers.yaml': CUSTOMERS, 'numbers.yaml': numbersYaml([{ port: d.port }]) },
      REFRESH,
    );
    const peer = await UdpPeer.open(t);
    const { port } = gw.sip;
    const here = `127.0.0.1:${peer.port}`;
    const dialog = [`From: <sip:${CALLER}@${here}>;tag=r1`, 'Call-ID: refresh-100rel@127.0.0.1'];
    const request = (
      method: string,
      cseq: number,
      branch: string,
      to: string,
      extra: string[] = [],
    ) =>
      [
        `${method} sip:${TRACKING}@127.0.0.1:${port} SIP/2.0`,
        `Via: SIP/2.0/UDP ${here};branch=${branch}`,
        ...dialog,
        to,
        `CSeq: ${cseq} ${method}`,
        `Contact: <sip:${CALLER}@${here}>`,
        'Max-Forwards: 70',
        ...extra,
      ].join('\n');
    const sdp = `v=0\no=caller 1 1 IN IP4 127.0.0.1\ns=-\nc=IN IP4 127.0.0.1\nt=0 0\nm=audio 4000 RTP/AVP 0\n`;
    peer.send(
      `${request('INVITE', 1, 'z9hG4bK-r100', `To: <sip:${TRACKING}@127.0.0.1:${port}>`, [
        'Require: 100rel',
        'Supported: 100rel',
        'Content-Type: application/sdp',
        // the peer sends CRLF line ends
        `Content-Length: ${sdp.replace(/\n/g, '\r\n').length}`,
      ])}\n\n${sdp}`,
      port,
    );
    // every reliable 183 is PRACKed, once, as it comes
    const pracked = new Set<string>();
    let cseq = 1;
    const prackAll = setInterval(() => {
      for (const m of peer.received) {
        const rseq = /^RSeq: *(\d+)/m.exec(m)?.[1];
        if (!m.startsWith('SIP/2.0 183') || !rseq || pracked.has(rseq)) continue;
        pracked.add(rseq);
        cseq += 1;
        const to = /^To: .*$/m.exec(m)?.[0] ?? '';
        peer.send(
          `${request('PRACK', cseq, `z9hG4bK-p${cseq}`, to, [`RAck: ${rseq} 1 INVITE`])}\nContent-Length: 0\n\n`,
          port,
        );
      }
    }, 20);
    t.teardown(() => clearInterval(prackAll));
    const ok = await peer.next(
      (m) => /^SIP\/2\.0 200[\s\S]*^CSeq: 1 INVITE\r?$/m.test(m),
      'the 200',
      10_000,
    );
    clearInterval(prackAll);
    const to = /^To: .*$/m.exec(ok)?.[0] ?? '';
    peer.send(`${request('ACK', 1, 'z9hG4bK-ack', to)}\nContent-Length: 0\n\n`, port);
    peer.send(`${request('BYE', cseq + 1, 'z9hG4bK-bye', to)}\nContent-Length: 0\n\n`, port);
    await peer.next((m) => /^SIP\/2\.0 200[\s\S]*^CSeq: \d+ BYE\r?$/m.test(m), 'the BYE answered');
    const reliable = [
      ...new Map(
        peer.received
          .filter((m) => m.startsWith('SIP/2.0 183'))
          .map((m) => [/^RSeq: *(\d+)/m.exec(m)?.[1], m] as const),
      ).values(),
    ];
    t.ok(reliable.length >= 3, `${reliable.length} reliable 183s`);
    for (const m of reliable) t.match(m, /^Require: 100rel\r?$/m, 'each one reliable');
    t.match(reliable[0], /^o=second /m, "the first with the dealer's SDP");
    for (const m of reliable.slice(1))
      t.match(m, /^Content-Length: 0\r?$/m, 'the refreshes without');
    t.match((await gw.records(1))[0], { outcome: 'answered', sipStatus: 200, endedBy: 'caller' });
    t.match(await d.done, { exitCode: 0 });
  },
);

async function callerLost(t: Test, caller: string) {
  const { gw, dealer } = await oneCall(
    t,
    { caller, dealer: 'uas-early-media-expect-cancel.xml' },
    REFRESH,
  );
  t.match(received(dealer, 'CANCEL')?.text, CALLER_LOST, 'the dealer gets CANCEL: caller lost');
  t.match(
    (await gw.records(1))[0],
    {
      outcome: 'cancelled',
      sipStatus: 408,
      endedBy: 'caller-lost',
      attempts: [{ status: 487, cause: 'cancelled' }],
    },
    'the record: the caller went before an answer, without a word',
  );
}

t.test(
  'a caller that never PRACKs: the stack’s 503, found at the next refresh; the dealer gets CANCEL',
  async (t) => {
    await callerLost(t, 'uac-require-100rel-never-prack-expect-503.xml');
  },
);

t.test(
  'a caller that hangs up with BYE before the answer: 481 and 500 from drachtio-server, found at the next refresh; the dealer gets CANCEL',
  async (t) => {
    await callerLost(t, 'uac-expect-183-early-bye-481-then-500.xml');
  },
);

t.test(
  'a CANCEL re-branched by a proxy after the 183: drachtio-server ends the INVITE without a word, found at the next refresh; the dealer gets CANCEL',
  async (t) => {
    await callerLost(t, 'uac-expect-183-cancel-other-branch-481-bye-500.xml');
  },
);

/**
 * A caller over TCP whose connection closes while it waits: drachtio-server sends it nothing
 * more and opens no new connection. Before the gateway's first 18x it drops the INVITE (every
 * answer `unknown transaction`); after it, the transaction stays and every answer is refused
 * `transport for response has been shutdown or closed`. Either way the next refresh, or the 200,
 * finds the caller gone.
 */
async function tcpCallerGone(t: Test, dealerScenario: string, closeAfter: RegExp) {
  const d = await dealerSipp(dealerScenario);
  const gw = await startGateway(
    t,
    { 'customers.yaml': CUSTOMERS, 'numbers.yaml': numbersYaml([{ port: d.port }]) },
    REFRESH,
  );
  const { port } = gw.sip;
  const caller = await tcpCaller(t, port);
  caller.socket.write(
    tcpInvite({ port, viaPort: caller.port, callId: 'tcp-gone', called: TRACKING, caller: CALLER }),
  );
  await waitFor(
    () => caller.statusLines().find((l) => closeAfter.test(l)),
    5000,
    `${closeAfter} to the caller`,
  );
  caller.socket.end();
  const dealer = await d.done;
  t.match(dealer, { exitCode: 0 }, `dealer: ${dealer.errors}`);
  t.match(
    (await gw.records(1))[0],
    { outcome: 'cancelled', sipStatus: 408, endedBy: 'caller-lost' },
    'the record: the caller went before an answer',
  );
  return { caller, dealer };
}

t.test(
  'a TCP caller gone before the first 18x: found at the next refresh; the dealer gets CANCEL',
  async (t) => {
    const { caller, dealer } = await tcpCallerGone(
      t,
      'uas-ring-after-1s-expect-cancel.xml',
      /^SIP\/2\.0 100 /,
    );
    t.match(received(dealer, 'CANCEL')?.text, CALLER_LOST, 'CANCEL: caller lost');
    t.same(caller.statusLines(), ['SIP/2.0 100 Trying'], 'the caller got nothing more');
  },
);

t.test(
  'a TCP caller gone after its 180: the refresh refused (transport closed); the dealer gets CANCEL',
  async (t) => {
    const { dealer } = await tcpCallerGone(t, 'uas-ring-expect-cancel.xml', /^SIP\/2\.0 180 /);
    t.match(received(dealer, 'CANCEL')?.text, CALLER_LOST, 'CANCEL: caller lost');
  },
);

t.test(
  'a TCP caller gone before the dealer answers: its 200 refused; the dealer gets BYE',
  async (t) => {
    const { dealer } = await tcpCallerGone(t, 'uas-ring-1s-then-answer-200.xml', /^SIP\/2\.0 180 /);
    t.ok(received(dealer, 'BYE'), 'the answered dealer is released');
  },
);

t.test('the refresh is only for a caller still waiting: none after the final answer', async (t) => {
  const { caller } = await oneCall(
    t,
    {
      caller: 'uac-expect-183-then-200-hold-1500ms-caller-bye.xml',
      dealer: 'uas-early-media-then-answer.xml',
    },
    REFRESH,
  );
  t.equal(progresses(caller).length, 1, 'answered at once: one 183, none during the 1.5 s call');
  t.ok(receivedAnswer(caller, 200));
});
