/**
 * Timers on the call path: an attempt ends at its ring timeout even when the destination never
 * answers at all (then it is `unreachable`, not a missed call), and a connected call ends at the
 * maximum call duration with a BYE and a Reason to both sides.
 */
import { createSocket } from 'node:dgram';
import t, { type Test } from 'tap';
import {
  CUSTOMERS,
  callThrough as call,
  dealerSipp as dealer,
  numbersYaml,
  oneCall,
  received,
} from '../helpers/call-bed.js';
import { startGateway } from '../helpers/gateway.js';
import { startMediaGateway } from '../helpers/media-bed.js';
import { passed, startSipp } from '../helpers/sipp.js';

/** A UDP port that takes every datagram and answers none: a dead trunk. */
async function blackHole(t: Test) {
  const socket = createSocket('udp4');
  const got: string[] = [];
  socket.on('message', (m) => got.push(m.toString('utf8').split('\r\n')[0] ?? ''));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  t.teardown(() => socket.close());
  return { port: socket.address().port, got };
}

t.test('a destination that never answers ends at its ring timeout as unreachable', async (t) => {
  const dead = await blackHole(t);
  const answers = await dealer('uas-answer-200.xml');
  // real timers here: Timer B is 32 s, so only the ring timeout can end the attempt in time
  const gw = await startGateway(
    t,
    {
      'customers.yaml': CUSTOMERS,
      'numbers.yaml': numbersYaml([{ port: dead.port, ringTimeout: 1 }, { port: answers.port }]),
    },
    {},
    { t1: 500, t2: 4000 },
  );
  const c = await call(gw, 'uac-expect-200-caller-bye.xml');
  t.match(c, { exitCode: 0 }, 'the second destination answered');
  await passed(t, answers, 'answers');
  const [r] = await gw.records(1);
  t.match(r, {
    outcome: 'answered',
    destinationIndex: 1,
    attempts: [
      { index: 0, status: 408, cause: 'unreachable' },
      { index: 1, cause: 'answered' },
    ],
  });
  t.ok(
    (r?.ringMs as number) < 16_000,
    `failover at the ring timeout, not Timer B (${r?.ringMs} ms)`,
  );
  t.ok(
    dead.got.every((l) => l.startsWith('INVITE ')),
    'no CANCEL without a provisional (RFC 3261 9.1)',
  );
});

t.test(
  'only dead destinations: the caller gets 480 with Q.850 cause 27, the call is unreachable, not missed',
  async (t) => {
    const dead = await blackHole(t);
    const gw = await startGateway(t, {
      'customers.yaml': CUSTOMERS,
      'numbers.yaml': numbersYaml([{ port: dead.port, ringTimeout: 1 }]),
    });
    // not 503: an upstream would try the next node, and that node the same dead trunk
    const c = await call(gw, 'uac-expect-480-q850-reason.xml');
    t.match(c, { exitCode: 0 }, `480 with a Reason: ${c.errors}`);
    t.match(
      received(c, 'SIP/2.0 480')?.text,
      /^Reason: Q\.850;cause=27;text="Destination out of order"\r?$/m,
    );
    t.match((await gw.records(1))[0], {
      outcome: 'unreachable',
      sipStatus: 480,
      attempts: [{ cause: 'unreachable' }],
    });
    const metrics = await gw.metrics();
    t.match(metrics, /^calltrack_calls_total\{source="mobile\.de",outcome="unreachable"\} 1$/m);
    t.match(metrics, /^calltrack_dial_attempts_total\{cause="unreachable"\} 1$/m);
  },
);

t.test(
  'a destination the server cannot send to fails at once as unreachable; the next one answers',
  async (t) => {
    const answers = await dealer('uas-answer-200.xml');
    // drachtio-server listens on loopback here: the kernel refuses a datagram from there to any
    // other host (EINVAL), and the stack answers its own 503 instead of waiting for timer B
    const gw = await startGateway(t, {
      'customers.yaml': CUSTOMERS,
      'numbers.yaml': numbersYaml([
        { uri: 'sip:dealer@192.0.2.1:5060', ringTimeout: 60 },
        { port: answers.port },
      ]),
    });
    t.match(await call(gw, 'uac-expect-200-caller-bye.xml'), { exitCode: 0 });
    await passed(t, answers, 'answers');
    t.match((await gw.records(1))[0], {
      outcome: 'answered',
      destinationIndex: 1,
      attempts: [
        { index: 0, status: 503, cause: 'unreachable' },
        { index: 1, status: 200 },
      ],
    });
    t.match(await gw.metrics(), /^calltrack_dial_attempts_total\{cause="unreachable"\} 1$/m);
  },
);

t.test('a busy dealer, then a dead one: 480 with Q.850 cause 31, the call failed', async (t) => {
  const busy = await dealer('uas-busy-486.xml');
  const dead = await blackHole(t);
  const gw = await startGateway(t, {
    'customers.yaml': CUSTOMERS,
    'numbers.yaml': numbersYaml([{ port: busy.port }, { port: dead.port, ringTimeout: 1 }]),
  });
  const c = await call(gw, 'uac-expect-480-q850-reason.xml');
  t.match(c, { exitCode: 0 }, `480 with a Reason: ${c.errors}`);
  t.match(
    received(c, 'SIP/2.0 480')?.text,
    /^Reason: Q\.850;cause=31;text="Normal, unspecified"\r?$/m,
  );
  await passed(t, busy, 'busy');
  t.match((await gw.records(1))[0], {
    outcome: 'failed',
    sipStatus: 480,
    attempts: [{ cause: 'busy' }, { cause: 'unreachable' }],
  });
});

t.test('the maximum call duration ends both legs with a Reason', async (t) => {
  // both scenarios wait for a BYE
  const {
    gw,
    caller: c,
    dealer: dealerSaw,
  } = await oneCall(
    t,
    { caller: 'uac-expect-200-await-bye.xml', dealer: 'uas-answer-200.xml' },
    { MAX_CALL_DURATION_S: '1' },
  );
  for (const [who, r] of [
    ['caller', c],
    ['dealer', dealerSaw],
  ] as const)
    t.match(
      received(r, 'BYE')?.text,
      /^Reason: SIP;cause=200;text="maximum call duration reached"/m,
      `the ${who}'s BYE says why`,
    );
  const [r] = await gw.records(1);
  t.match(r, { outcome: 'answered', endedBy: 'max-duration' });
  t.ok((r?.talkMs as number) >= 950 && (r?.talkMs as number) < 5000, `talk time ${r?.talkMs} ms`);
  t.match(await gw.metrics(), /^calltrack_call_ends_total\{ended_by="max-duration"\} 1$/m);
});

t.test(
  'FreeSWITCH that never answers: the call goes on without media at the deadline, and the next at once while the first anchor is still in progress',
  async (t) => {
    const d = await startSipp({ scenario: 'uas-answer-200.xml', calls: 2 });
    const gw = await startMediaGateway(
      t,
      [{ port: d.port }],
      { silentSip: true },
      undefined,
      { MEDIA_ANCHOR_TIMEOUT_MS: '500', MEDIA_ANCHOR_MAX_PENDING: '1' },
      // real timers: Timer B (32 s) would hold the call far longer than the deadline
      { t1: 500, t2: 4000 },
    );
    const c = await call(gw, 'uac-expect-200-caller-bye.xml');
    t.match(c, { exitCode: 0 }, `the caller was connected: ${c.errors}`);
    const [r] = await gw.records(1);
    t.match(r, { outcome: 'answered', media: { anchored: false, error: 'anchor-timeout' } });
    t.ok(
      (r?.ringMs as number) < 16_000,
      `connected at the deadline, not after Timer B (${r?.ringMs} ms)`,
    );
    // FreeSWITCH still has the first anchor (Timer B: 32 s): the one place MEDIA_ANCHOR_MAX_PENDING gives
    const c2 = await call(gw, 'uac-expect-200-caller-bye.xml');
    t.match(c2, { exitCode: 0 }, `the second caller was connected: ${c2.errors}`);
    const dealerSaw = await d.done;
    t.match(
      received(dealerSaw, 'INVITE')?.text,
      /^o=caller /m,
      "signalling only: the caller's own SDP",
    );
    const r2 = (await gw.records(2))[1];
    t.match(r2, { outcome: 'answered', media: { anchored: false, error: 'anchor-busy' } });
    t.ok(
      (r2?.ringMs as number) < 500,
      `connected without waiting for the deadline (${r2?.ringMs} ms)`,
    );
    const metrics = await gw.metrics();
    t.match(metrics, /^calltrack_media_errors_total\{step="anchor"\} 2$/m);
    t.match(metrics, /^calltrack_media_anchors_shed_total 1$/m);
    t.match(metrics, /^calltrack_media_anchors_pending 1$/m, 'the first anchor still counts');
  },
);
