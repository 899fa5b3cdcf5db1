/**
 * What `TEST_DRACHTIO_BIN` puts in a real drachtio-server's trace: its SIP datagrams read from its
 * log (the frames on its application port come through a recording proxy:
 * recording-proxy.test.ts). The log here is as drachtio-server v0.9.10 wrote it (console, `info`).
 */
import t from 'tap';
import { REAL_DRACHTIO_ENV, SipLog, startDrachtio } from '../helpers/drachtio-peer.js';
import { Tracer } from '../standin/trace.js';

const SDP =
  'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n';
const INVITE = [
  'INVITE sip:x@127.0.0.1 SIP/2.0',
  'Via: SIP/2.0/UDP 127.0.0.1:33893;branch=z9hG4bK-x',
  'From: <sip:a@127.0.0.1>;tag=1',
  'To: <sip:b@127.0.0.1>',
  'Call-ID: x1',
  'CSeq: 1 INVITE',
  'Max-Forwards: 70',
  'Content-Type: application/sdp',
  `Content-Length: ${SDP.length}`,
  '',
  SDP,
].join('\r\n');
const TRYING = [
  'SIP/2.0 100 Trying',
  'Via: SIP/2.0/UDP 127.0.0.1:33893;branch=z9hG4bK-x;rport=33893',
  'From: <sip:a@127.0.0.1>;tag=1',
  'To: <sip:b@127.0.0.1>',
  'Call-ID: x1',
  'CSeq: 1 INVITE',
  'Content-Length: 0',
  '',
  '',
].join('\r\n');

/** A datagram as sofia's transport log writes it: its last CRLF a space and a newline. */
const logged = (text: string) => `${text.slice(0, -2)} \n`;

const LOG = [
  '2026-12-06 04:47:07.293602 ClientController::join - Added client, count of connected clients is now: 1\n',
  `2026-12-06 04:47:07.295236 recv ${INVITE.length} bytes from udp/[127.0.0.1]:33893 at 04:47:07.295165:\n`,
  logged(INVITE),
  `2026-12-06 04:47:07.295324 send ${TRYING.length} bytes to udp/[127.0.0.1]:33893 at 04:47:07.295295:\n`,
  logged(TRYING),
  '2026-12-06 04:47:07.295335 No connected clients found to handle incoming invite request\n',
].join('');

const sipRecords = (trace: Tracer) =>
  trace.records.flatMap((r) => (r.kind === 'sip' ? [[r.dir, r.peer, r.text]] : []));

t.test(
  'each datagram in the log becomes a SIP record, whole, however the log is cut',
  async (t) => {
    const want = [
      ['in', '127.0.0.1:33893', INVITE],
      ['out', '127.0.0.1:33893', TRYING],
    ];
    const whole = new Tracer();
    new SipLog(whole).push(Buffer.from(LOG, 'latin1'));
    t.same(sipRecords(whole), want, 'in one piece');
    for (const size of [1, 7, 100]) {
      const trace = new Tracer();
      const log = new SipLog(trace);
      const bytes = Buffer.from(LOG, 'latin1');
      for (let i = 0; i < bytes.length; i += size) log.push(bytes.subarray(i, i + size));
      t.same(sipRecords(trace), want, `in pieces of ${size} bytes`);
    }
  },
);

t.test('a datagram is recorded once its last byte is logged, not at the next entry', async (t) => {
  const trace = new Tracer();
  const log = new SipLog(trace);
  const head = `2026-12-06 04:47:07.295324 send ${TRYING.length} bytes to udp/[127.0.0.1]:5060 at x:\n`;
  log.push(Buffer.from(head + logged(TRYING).slice(0, -1), 'latin1'));
  t.same(sipRecords(trace), [], 'one byte short: nothing yet');
  log.push(Buffer.from('\n', 'latin1'));
  t.same(sipRecords(trace), [['out', '127.0.0.1:5060', TRYING]]);
});

t.test('a UTF-8 display name is counted in bytes and recorded as text', async (t) => {
  const message = TRYING.replace('From: <sip:a@', 'From: "Müller" <sip:a@');
  const bytes = Buffer.byteLength(message);
  const trace = new Tracer();
  new SipLog(trace).push(
    Buffer.concat([
      Buffer.from(`2026-12-06 04:47:07.1 send ${bytes} bytes to udp/[127.0.0.1]:5060 at x:\n`),
      Buffer.from(logged(message)),
      Buffer.from('2026-12-06 04:47:07.2 next\n'),
    ]),
  );
  t.same(sipRecords(trace), [['out', '127.0.0.1:5060', message]]);
});

t.test('a message over TCP is recorded with its transport, a datagram without', async (t) => {
  const trace = new Tracer();
  new SipLog(trace).push(
    Buffer.from(
      `2026-12-07 15:32:21.1 send ${TRYING.length} bytes to tcp/[127.0.0.1]:15100 at x:\n${logged(TRYING)}` +
        `2026-12-07 15:32:21.2 recv ${INVITE.length} bytes from udp/[127.0.0.1]:5060 at x:\n${logged(INVITE)}`,
      'latin1',
    ),
  );
  const sip = trace.records.flatMap((r) => (r.kind === 'sip' ? [[r.peer, r.transport]] : []));
  t.same(sip, [
    ['127.0.0.1:15100', 'tcp'],
    ['127.0.0.1:5060', undefined],
  ]);
});

t.test(
  'TEST_DRACHTIO_BIN: an option the real server has no place for fails the test, named',
  async (t) => {
    const before = process.env[REAL_DRACHTIO_ENV];
    t.teardown(() => {
      if (before === undefined) delete process.env[REAL_DRACHTIO_ENV];
      else process.env[REAL_DRACHTIO_ENV] = before;
    });
    process.env[REAL_DRACHTIO_ENV] = process.execPath;
    await t.rejects(
      startDrachtio('cymru', { minSE: 1, sessionTimerJitter: 0 }),
      /TEST_DRACHTIO_BIN: this test sets the stand-in's minSE, sessionTimerJitter/,
    );
    process.env[REAL_DRACHTIO_ENV] = '/nonexistent/drachtio';
    await t.rejects(
      startDrachtio('cymru'),
      /^TEST_DRACHTIO_BIN=\/nonexistent\/drachtio: no such file/,
      'a binary that is not there stops the test before anything starts',
    );
    delete process.env[REAL_DRACHTIO_ENV];
    const standin = await startDrachtio('cymru', { minSE: 1 });
    t.teardown(() => standin.close());
    t.ok(standin.sipAddress.port > 0, 'unset: the stand-in, with every option');
  },
);
