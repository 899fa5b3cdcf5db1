/**
 * The call path end to end: sipp as caller and as dealer, the drachtio stand-in, and the gateway
 * started as `npm start` starts it. Each case asserts what the caller saw, what the dealer saw
 * and the call record.
 */
import t from 'tap';
import {
  CUSTOMERS,
  callThrough as call,
  dealerSipp as dealer,
  firstLines,
  numbersYaml,
  received,
  TRACKING,
} from '../helpers/call-bed.js';
import { carriersFile, loopbackCarrier } from '../helpers/carriers.js';
import { logged, startGateway } from '../helpers/gateway.js';
import { passed } from '../helpers/sipp.js';
import { waitFor } from '../helpers/wait.js';

t.test('answered, BYE from the caller', async (t) => {
  const d = await dealer('uas-answer-200.xml');
  const gw = await startGateway(t, {
    'customers.yaml': CUSTOMERS,
    'numbers.yaml': numbersYaml([{ port: d.port }], ['options:', '  displayPrefix: "[mobile.de]"']),
  });
  const c = await call(gw, 'uac-expect-200-caller-bye.xml');
  t.match(c, { exitCode: 0, counts: { successful: 1, failed: 0 } }, 'the caller was connected');
  t.ok(firstLines(c, 'received').includes('SIP/2.0 180 Ringing'), 'ringing reached the caller');
  const dealerSaw = await d.done;
  t.match(
    dealerSaw,
    { exitCode: 0, counts: { successful: 1 } },
    'the dealer answered and got the BYE',
  );
  const invite = received(dealerSaw, 'INVITE')?.text ?? '';
  t.match(
    invite,
    /^From: "\[mobile\.de\]" <sip:\+4917699887766@/m,
    'the dealer sees the caller number and the channel',
  );
  const [r] = await gw.records(1);
  t.match(r, {
    outcome: 'answered',
    sipStatus: 200,
    trackingNumber: TRACKING,
    customerId: 'autohaus-berlin',
    source: 'mobile.de',
    destinationIndex: 0,
    endedBy: 'caller',
    callerWithheld: false,
    nodeId: 'e2e',
  });
  t.ok(
    typeof r?.talkMs === 'number' && typeof r?.ringMs === 'number' && r?.answeredAt,
    'ring and talk durations',
  );
  t.notOk('callerNumber' in (r ?? {}), 'the record file never holds the caller number');
  const callId = /^Call-ID: (.*)$/m.exec(c.messages[0]?.text ?? '')?.[1]?.trim() ?? '';
  t.ok(
    gw
      .logs()
      .includes(`"callId":"${callId}","source":"mobile.de","destinations":1,"msg":"forwarding"`),
    `the per-call log lines carry the Call-ID whole (${callId}): ops grep a call by it`,
  );
  t.notMatch(
    gw.logs(),
    /17699887766/,
    "the caller's number never reaches the log output (debug level)",
  );
});

t.test(
  'at info level an answered call is one log line, at its end, with its summary',
  async (t) => {
    const d = await dealer('uas-answer-200.xml');
    const gw = await startGateway(
      t,
      { 'customers.yaml': CUSTOMERS, 'numbers.yaml': numbersYaml([{ port: d.port }]) },
      { LOG_LEVEL: 'info' },
    );
    const c = await call(gw, 'uac-expect-200-caller-bye.xml');
    t.match(c, { exitCode: 0, counts: { successful: 1 } }, 'the caller was connected');
    await gw.records(1);
    const callId = /^Call-ID: (.*)$/m.exec(c.messages[0]?.text ?? '')?.[1]?.trim() ?? '';
    // The record can reach Redis before the log line reaches our pipe: wait for the line, then
    // stop the gateway so that anything it would still write about the call is in, and count.
    await waitFor(() => gw.logs().includes('"msg":"call ended"'), 10_000, 'the call ended line');
    gw.proc.kill('SIGTERM');
    await gw.exited;
    const lines = gw
      .logs()
      .split('\n')
      .filter((l) => l.includes(`"callId":"${callId}"`));
    t.equal(lines.length, 1, `one line for the call:\n${lines.join('\n')}`);
    t.match(JSON.parse(lines[0] ?? '{}'), {
      level: 30,
      msg: 'call ended',
      outcome: 'answered',
      status: 200,
      endedBy: 'caller',
      source: 'mobile.de',
      destinations: 1,
    });
  },
);

t.test('answered, BYE from the dealer', async (t) => {
  const d = await dealer('uas-answer-200-then-bye.xml');
  const gw = await startGateway(t, {
    'customers.yaml': CUSTOMERS,
    'numbers.yaml': numbersYaml([{ port: d.port }]),
  });
  const c = await call(gw, 'uac-expect-200-await-bye.xml');
  t.match(c, { exitCode: 0, counts: { successful: 1 } }, 'the caller got the BYE');
  await passed(t, d, 'dealer');
  t.match((await gw.records(1))[0], { outcome: 'answered', endedBy: 'dealer' });
});

t.test('CANCEL while ringing', async (t) => {
  const d = await dealer('uas-ring-expect-cancel.xml');
  const gw = await startGateway(t, {
    'customers.yaml': CUSTOMERS,
    'numbers.yaml': numbersYaml([{ port: d.port }]),
  });
  const c = await call(gw, 'uac-cancel-while-ringing.xml');
  t.match(c, { exitCode: 0 }, 'the caller got 200 for the CANCEL and 487');
  await passed(t, d, 'the dealer leg was cancelled');
  t.match((await gw.records(1))[0], { outcome: 'cancelled', sipStatus: 487 });
});

t.test('first destination busy, the second answers', async (t) => {
  const busy = await dealer('uas-busy-486.xml');
  const answers = await dealer('uas-answer-200.xml');
  const gw = await startGateway(t, {
    'customers.yaml': CUSTOMERS,
    'numbers.yaml': numbersYaml([{ port: busy.port }, { port: answers.port }]),
  });
  t.match(await call(gw, 'uac-expect-200-caller-bye.xml'), { exitCode: 0 });
  t.match(await busy.done, { exitCode: 0 }, 'the first dealer said busy');
  t.match(await answers.done, { exitCode: 0 }, 'the second answered');
  t.match((await gw.records(1))[0], {
    outcome: 'answered',
    destinationIndex: 1,
    attempts: [
      { index: 0, status: 486, cause: 'busy' },
      { index: 1, status: 200 },
    ],
  });
});

t.test('first destination never answers within its ring timeout, the second answers', async (t) => {
  const silent = await dealer('uas-ring-expect-cancel.xml');
  const answers = await dealer('uas-answer-200.xml');
  const gw = await startGateway(t, {
    'customers.yaml': CUSTOMERS,
    'numbers.yaml': numbersYaml([{ port: silent.port, ringTimeout: 1 }, { port: answers.port }]),
  });
  t.match(await call(gw, 'uac-expect-200-caller-bye.xml'), { exitCode: 0 });
  t.match(
    await silent.done,
    { exitCode: 0 },
    'the first dealer got a CANCEL after the ring timeout',
  );
  await passed(t, answers, 'answers');
  const [r] = await gw.records(1);
  t.match(r, {
    outcome: 'answered',
    destinationIndex: 1,
    attempts: [{ index: 0, status: 408, cause: 'no-answer' }, { index: 1 }],
  });
  t.ok((r?.ringMs as number) >= 1000, 'the ring time includes the first ring timeout');
});

t.test('all destinations busy: the caller hears 486 with Q.850 cause 17', async (t) => {
  const a = await dealer('uas-busy-486.xml');
  const b = await dealer('uas-busy-486.xml');
  const gw = await startGateway(t, {
    'customers.yaml': CUSTOMERS,
    'numbers.yaml': numbersYaml([{ port: a.port }, { port: b.port }]),
  });
  const c = await call(gw, 'uac-expect-486-q850-reason.xml');
  t.match(c, { exitCode: 0 }, `486 with a Reason: ${c.errors}`);
  t.match(received(c, 'SIP/2.0 486')?.text, /^Reason: Q\.850;cause=17;text="User busy"\r?$/m);
  t.match([await a.done, await b.done], [{ exitCode: 0 }, { exitCode: 0 }]);
  t.match((await gw.records(1))[0], {
    outcome: 'busy',
    sipStatus: 486,
    attempts: [{ cause: 'busy' }, { cause: 'busy' }],
  });
});

t.test('no destination answers: the caller hears 480 with Q.850 cause 19', async (t) => {
  const a = await dealer('uas-ring-expect-cancel.xml');
  const gw = await startGateway(t, {
    'customers.yaml': CUSTOMERS,
    'numbers.yaml': numbersYaml([{ port: a.port, ringTimeout: 1 }]),
  });
  const c = await call(gw, 'uac-expect-480-q850-reason.xml');
  t.match(c, { exitCode: 0 }, `480 with a Reason: ${c.errors}`);
  t.match(
    received(c, 'SIP/2.0 480')?.text,
    /^Reason: Q\.850;cause=19;text="No answer from user \(user alerted\)"\r?$/m,
  );
  await passed(t, a, 'dealer a');
  t.match((await gw.records(1))[0], { outcome: 'no-answer', sipStatus: 480 });
});

const deactivated = `version: 1
numbers:
  - number: "+493025550102"
    customer: autohaus-berlin
    source: print
    status: deactivated
    deactivatedAt: 2025-01-01
`;

t.test(
  'routing refusals: unknown 404, deactivated 410, malformed 484, not DE/AT 404',
  async (t) => {
    const gw = await startGateway(t, { 'customers.yaml': CUSTOMERS, 'numbers.yaml': deactivated });
    t.match(await call(gw, 'uac-expect-404.xml', '+493099999999'), { exitCode: 0 }, 'unknown');
    t.match(await call(gw, 'uac-expect-410.xml', '+493025550102'), { exitCode: 0 }, 'deactivated');
    t.match(await call(gw, 'uac-expect-484.xml', 'hotline'), { exitCode: 0 }, 'malformed');
    t.match(await call(gw, 'uac-expect-404.xml', '+41445551234'), { exitCode: 0 }, 'not DE/AT');
    const records = await gw.records(4);
    t.match(records, [
      {
        outcome: 'rejected',
        rejectReason: 'unknown',
        sipStatus: 404,
        trackingNumber: '+493099999999',
      },
      {
        outcome: 'rejected',
        rejectReason: 'deactivated',
        sipStatus: 410,
        source: 'print',
        customerId: 'autohaus-berlin',
      },
      { outcome: 'rejected', rejectReason: 'malformed', sipStatus: 484 },
      { outcome: 'rejected', rejectReason: 'not-de-at', sipStatus: 404 },
    ]);
  },
);

t.test(
  'admission: scanner 403; over a rate 503 without Retry-After (the node stays in rotation)',
  async (t) => {
    const gw = await startGateway(
      t,
      { 'customers.yaml': CUSTOMERS, 'numbers.yaml': deactivated },
      {
        // loopback is no carrier here: it is a stranger, admitted with a per-source rate
        CARRIERS_FILE: carriersFile(t, 'version: 1\ncarriers: []\n'),
        UNKNOWN_SOURCES: 'admit',
        RATE_LIMIT_CPS: '0.1',
        RATE_LIMIT_BURST: '1',
      },
    );
    t.match(
      await call(gw, 'uac-scanner-expect-403.xml'),
      { exitCode: 0 },
      'scanner user agent (refused before it costs a token)',
    );
    t.match(
      await call(gw, 'uac-expect-404.xml', '+493099999999'),
      { exitCode: 0 },
      'within the rate',
    );
    t.match(
      await call(gw, 'uac-expect-503-no-retry-after.xml', '+493099999999'),
      { exitCode: 0 },
      'over the rate',
    );
    t.match(await gw.records(3), [
      { rejectReason: 'scanner', sipStatus: 403 },
      { rejectReason: 'unknown' },
      { rejectReason: 'rate-limited', sipStatus: 503 },
    ]);

    const carrier = await startGateway(
      t,
      { 'customers.yaml': CUSTOMERS, 'numbers.yaml': deactivated },
      {
        CARRIERS_FILE: carriersFile(
          t,
          loopbackCarrier(['trustIdentity: false', 'callsPerSecond: 0.1', 'burst: 1']),
        ),
      },
    );
    t.match(await call(carrier, 'uac-expect-404.xml', '+493099999999'), { exitCode: 0 });
    t.match(
      await call(carrier, 'uac-expect-503-no-retry-after.xml', '+493099999999'),
      { exitCode: 0 },
      "over the carrier's rate",
    );
    t.match(await carrier.records(2), [
      { rejectReason: 'unknown' },
      { rejectReason: 'carrier-rate-limited', sipStatus: 503 },
    ]);
  },
);

t.test(
  'a withheld caller reaches the dealer as anonymous, and the number is nowhere',
  async (t) => {
    const d = await dealer('uas-answer-200.xml');
    const gw = await startGateway(t, {
      'customers.yaml': CUSTOMERS,
      'numbers.yaml': numbersYaml(
        [{ port: d.port }],
        ['options:', '  displayPrefix: "[mobile.de]"'],
      ),
    });
    t.match(await call(gw, 'uac-withheld-expect-200-caller-bye.xml'), { exitCode: 0 });
    const invite = received(await d.done, 'INVITE')?.text ?? '';
    t.match(invite, /^From: "\[mobile\.de\] Anonymous" <sip:anonymous@anonymous\.invalid>/m);
    t.match(invite, /^Privacy: id/m);
    t.notMatch(invite, /17699887766/, 'no header of the dealer leg carries the number');
    t.match((await gw.records(1))[0], { outcome: 'answered', callerWithheld: true });
    t.notMatch(gw.logs(), /17699887766/, 'not in the log');
    t.notMatch(await gw.metrics(), /17699887766/, 'not in the metrics');
  },
);

t.test(
  'numbers as people write them: the (0) form is read, an ambiguous one is not guessed',
  async (t) => {
    const d = await dealer('uas-answer-200.xml');
    const gw = await startGateway(t, {
      'customers.yaml': CUSTOMERS,
      'numbers.yaml': numbersYaml([{ port: d.port }]),
    });
    // the Request-URI and To in the (0) form; the From with a trunk 0 after +49 (ambiguous)
    const c = await call(gw, 'uac-expect-200-caller-bye.xml', '+49(0)3025550101', '+490176998877');
    t.match(c, { exitCode: 0 }, 'routed to the dealer');
    const invite = received(await d.done, 'INVITE')?.text ?? '';
    t.match(
      invite,
      /^From: "Anonymous" <sip:anonymous@anonymous\.invalid>/m,
      'the unreadable caller number is not guessed: the dealer sees anonymous',
    );
    t.notMatch(invite, /176998877/, 'nor any guess of it');
    t.match(
      await call(gw, 'uac-expect-484.xml', '+4903025550101'),
      { exitCode: 0 },
      'a called number with a trunk 0 after +49 is refused, not routed to +493025550101',
    );
    const [answered, refused] = await gw.records(2);
    t.match(answered, { outcome: 'answered', trackingNumber: TRACKING });
    t.match(refused, { outcome: 'rejected', rejectReason: 'malformed', sipStatus: 484 });
    await logged(t, gw, /"detail":"a 0 right after the country code/, 'the log says why');
  },
);
