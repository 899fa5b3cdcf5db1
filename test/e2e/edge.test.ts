/**
 * The carrier edge end to end: carriers and trust from the carriers file, hostile display names,
 * rate answers that keep the node in rotation, Max-Forwards, the tracking number on the dealer
 * leg, a loop through a dealer's forwarding PBX, extensions a caller requires, SIP-I bodies, and
 * the per-number cap.
 */
import t, { type Test } from 'tap';
import {
  CALLER,
  CUSTOMERS,
  callThrough as call,
  dealerSipp as dealer,
  numbersYaml,
  received,
  receivedAnswer,
  TRACKING,
} from '../helpers/call-bed.js';
import { carriersFile, loopbackCarrier } from '../helpers/carriers.js';
import { forwardingPbx } from '../helpers/forwarding-pbx.js';
import { logged, startGateway } from '../helpers/gateway.js';
import { released, startMediaGateway } from '../helpers/media-bed.js';
import { runSipp } from '../helpers/sipp.js';
import { waitFor } from '../helpers/wait.js';

const ASSERTED = '+4930111222333';

/** A sipp dealer playing `scenario` behind the tracking number, and a gateway in front of it. */
async function dealerBehind(t: Test, scenario: string) {
  const d = await dealer(scenario);
  const gw = await startGateway(t, {
    'customers.yaml': CUSTOMERS,
    'numbers.yaml': numbersYaml([{ port: d.port }]),
  });
  return { d, gw };
}

t.test(
  'a source outside every carrier gets 403, logged and counted; its OPTIONS too',
  async (t) => {
    const gw = await startGateway(
      t,
      { 'customers.yaml': CUSTOMERS, 'numbers.yaml': numbersYaml([{ port: 9 }]) },
      {
        CARRIERS_FILE: carriersFile(
          t,
          'version: 1\ncarriers:\n  - name: telekom\n    cidrs: ["192.0.2.0/24"]\n    trustIdentity: true\n',
        ),
      },
    );
    t.match(await call(gw, 'uac-expect-403.xml'), { exitCode: 0 });
    t.match((await gw.records(1))[0], {
      outcome: 'rejected',
      rejectReason: 'not-allowed',
      sipStatus: 403,
    });
    await logged(
      t,
      gw,
      /"reason":"not-allowed","status":403,"source":"127\.0\.0\.1".*source is not a configured carrier/,
    );
    t.match(await gw.metrics(), /calltrack_rejects_total\{reason="not-allowed"\} 1/);
    const probe = await call(gw, 'uac-options-expect-403.xml', 'sip:keepalive');
    t.match(probe, { exitCode: 0 }, `its OPTIONS probe gets 403 too, not 200: ${probe.errors}`);
  },
);

t.test('a hostile display name reaches the dealer as one well-formed From', async (t) => {
  const d = await dealer('uas-answer-200.xml');
  const gw = await startGateway(t, {
    'customers.yaml': CUSTOMERS,
    'numbers.yaml': numbersYaml([{ port: d.port }], ['options:', '  displayPrefix: "[mobile.de]"']),
  });
  const c = await call(gw, 'uac-hostile-name-expect-200-caller-bye.xml');
  t.match(c, { exitCode: 0 }, `caller: ${c.errors}`);
  const invite = received(await d.done, 'INVITE')?.text ?? '';
  const from = /^From: (.*)$/m.exec(invite)?.[1] ?? '';
  t.match(
    from,
    /^"\[mobile\.de\] Max sip:110@evil\.example ;x=" <sip:\+4917699887766@127\.0\.0\.1:\d+>;tag=[^;"<>\s]+$/,
    `one address, the caller's number, the name inside one quoted string: ${from}`,
  );
  t.equal(from.split('<').length, 2, 'exactly one <addr-spec>');
  const contact = /^Contact: (.*)$/m.exec(invite)?.[1] ?? '';
  t.match(
    contact,
    /^"[^"]*" <sip:\+4917699887766@127\.0\.0\.1:\d+>\r?$/,
    `the Contact too: ${contact}`,
  );
});

t.test(
  'P-Asserted-Identity: ignored from an untrusted carrier, believed from a trusted one',
  async (t) => {
    for (const trusted of [false, true]) {
      const d = await dealer('uas-answer-200.xml');
      const gw = await startGateway(
        t,
        { 'customers.yaml': CUSTOMERS, 'numbers.yaml': numbersYaml([{ port: d.port }]) },
        { CARRIERS_FILE: carriersFile(t, loopbackCarrier([`trustIdentity: ${trusted}`])) },
      );
      const c = await runSipp({
        scenario: 'uac-asserted-identity-expect-200-caller-bye.xml',
        remote: gw.sip,
        keys: { caller: CALLER, called: TRACKING, asserted: ASSERTED },
        timeoutMs: 20_000,
      });
      t.match(c, { exitCode: 0 }, `caller: ${c.errors}`);
      const invite = received(await d.done, 'INVITE')?.text ?? '';
      const shown = trusted ? ASSERTED : CALLER;
      t.match(
        invite,
        new RegExp(`^From: <sip:\\${shown}@`, 'm'),
        `trusted ${trusted}: ${shown} shown`,
      );
      if (!trusted)
        t.notMatch(
          invite,
          /30111222333/,
          'the untrusted asserted number reaches no header of the dealer leg',
        );
    }
  },
);

t.test("Max-Forwards: the dealer gets the caller's less one, 0 is refused with 483", async (t) => {
  const d = await dealer('uas-answer-200.xml');
  const gw = await startGateway(t, {
    'customers.yaml': CUSTOMERS,
    'numbers.yaml': numbersYaml([{ port: d.port }]),
  });
  const c = await runSipp({
    scenario: 'uac-max-forwards-expect-200-caller-bye.xml',
    remote: gw.sip,
    keys: { caller: CALLER, called: TRACKING, hops: '5' },
    timeoutMs: 20_000,
  });
  t.match(c, { exitCode: 0 }, `caller: ${c.errors}`);
  const invite = received(await d.done, 'INVITE')?.text ?? '';
  t.match(invite, /^Max-Forwards: 4\r?$/m);
  t.match(
    invite,
    new RegExp(
      `^History-Info: <sip:\\${TRACKING}@127\\.0\\.0\\.1:\\d+;user=phone>;index=1,<sip:dealer@127\\.0\\.0\\.1:${d.port};cause=302>;index=1\\.1;mp=1\\r?$`,
      'm',
    ),
    'the tracking number in History-Info (the default)',
  );
  t.match(await call(gw, 'uac-max-forwards-0-expect-483.xml'), { exitCode: 0 });
  t.match(await gw.records(2), [
    { outcome: 'answered' },
    {
      outcome: 'rejected',
      rejectReason: 'too-many-hops',
      sipStatus: 483,
      trackingNumber: TRACKING,
    },
  ]);
});

t.test(
  'an INVITE that requires an extension the gateway lacks gets 420 naming it, and reaches no dealer',
  async (t) => {
    const { d, gw } = await dealerBehind(t, 'uas-answer-200.xml');
    const refused = await call(gw, 'uac-require-expect-420.xml', TRACKING, CALLER, {
      keys: { require: 'timer, precondition,sec-agree, 100rel, precondition' },
    });
    t.match(refused, { exitCode: 0 }, `caller: ${refused.errors}`);
    const answer = receivedAnswer(refused, 420);
    t.match(
      answer?.text,
      /^Unsupported: precondition,\s*sec-agree\r?$/m,
      'each unsupported tag named once; timer and 100rel, which drachtio-server runs, not named',
    );
    t.match(await gw.records(1), [
      {
        outcome: 'rejected',
        rejectReason: 'bad-extension',
        sipStatus: 420,
        trackingNumber: TRACKING,
      },
    ]);
    const line =
      /"reason":"bad-extension","status":420,.*"Unsupported":"precondition, sec-agree".*extension/;
    await logged(t, gw, line);
    t.match(await gw.metrics(), /calltrack_rejects_total\{reason="bad-extension"\} 1/);
    // the same caller without the requirement is put through: the refusal held nothing back
    t.match(await call(gw, 'uac-expect-200-caller-bye.xml'), { exitCode: 0 });
    const invites = (await d.done).messages.filter(
      (m) => m.dir === 'received' && m.firstLine.startsWith('INVITE '),
    );
    t.equal(invites.length, 1, 'the dealer got the second call only');
    t.match((await gw.records(2))[1], { outcome: 'answered', trackingNumber: TRACKING });
  },
);

t.test(
  'SIP-I: the dealer gets the SDP part alone; a required ISUP part gets 415 with Accept',
  async (t) => {
    const { d, gw } = await dealerBehind(t, 'uas-answer-200.xml');
    const refused = await call(gw, 'uac-sipi-required-expect-415.xml');
    t.match(refused, { exitCode: 0 }, `caller: ${refused.errors}`);
    const answer = receivedAnswer(refused, 415);
    t.match(answer?.text, /^Accept: application\/sdp,\s*multipart\/mixed\r?$/m);
    t.match(await gw.records(1), [
      { outcome: 'rejected', rejectReason: 'unsupported-body', sipStatus: 415 },
    ]);
    const line =
      /"reason":"unsupported-body","status":415,.*"detail":"a required part of type application\/isup"/;
    await logged(t, gw, line);
    const c = await call(gw, 'uac-sipi-expect-200-caller-bye.xml');
    t.match(c, { exitCode: 0 }, `caller: ${c.errors}`);
    const invite = received(await d.done, 'INVITE')?.text ?? '';
    t.match(invite, /^Content-Type: application\/sdp\r?$/m, 'the dealer leg carries SDP');
    t.match(invite, /^m=audio \d+ RTP\/AVP 0\r?$/m, "the caller's offer");
    t.notMatch(invite, /boundary|ISUP|IAM/i, 'nothing of the multipart body or its ISUP part');
    t.match((await gw.records(2))[1], { outcome: 'answered', trackingNumber: TRACKING });
  },
);

t.test("a media-anchored SIP-I caller: FreeSWITCH gets the caller's SDP part alone", async (t) => {
  const d = await dealer('uas-answer-200.xml');
  const gw = await startMediaGateway(t, [{ port: d.port }]);
  const c = await call(gw, 'uac-sipi-expect-200-caller-bye.xml');
  t.match(c, { exitCode: 0 }, `caller: ${c.errors}`);
  const toFs = gw.fs.trace.filter(
    (r) => r.kind === 'sip' && r.dir === 'in' && r.firstLine.startsWith('INVITE '),
  );
  t.ok(toFs.length > 0, 'FreeSWITCH was offered the call');
  for (const r of toFs) t.notMatch(r.kind === 'sip' ? r.text : '', /boundary|ISUP/i);
  t.ok(
    toFs.some((r) => r.kind === 'sip' && /^m=audio \d+ RTP\/AVP 0\r?$/m.test(r.text)),
    "the caller's offer",
  );
  t.match((await gw.records(1))[0], { outcome: 'answered', media: { anchored: true } });
  await released(t, gw);
});

t.test(
  'SIP-I toward the dealer: the caller gets its 183 and 200 with the SDP part alone',
  async (t) => {
    const { d, gw } = await dealerBehind(t, 'uas-answer-sipi-183-200.xml');
    const c = await call(gw, 'uac-expect-early-media-then-200-caller-bye.xml');
    t.match(c, { exitCode: 0 }, `caller: ${c.errors}`);
    t.match(await d.done, { exitCode: 0 });
    for (const status of [183, 200]) {
      const answer = receivedAnswer(c, status);
      t.match(answer?.text, /^Content-Type: application\/sdp\r?$/m, `${status}: SDP`);
      t.match(answer?.text, /^o=dealer 1 1 /m, `${status}: the dealer's`);
      t.notMatch(answer?.text, /boundary|ISUP/i, `${status}: nothing of the ISUP part`);
    }
    t.match((await gw.records(1))[0], { outcome: 'answered', endedBy: 'caller' });
  },
);

t.test('a customer that chose Diversion gets Diversion', async (t) => {
  const d = await dealer('uas-answer-200.xml');
  const gw = await startGateway(t, {
    'customers.yaml': CUSTOMERS.replace(
      'name: Autohaus Berlin',
      'name: Autohaus Berlin\n    trackingHeader: diversion',
    ),
    'numbers.yaml': numbersYaml([{ port: d.port }]),
  });
  t.match(await call(gw, 'uac-expect-200-caller-bye.xml'), { exitCode: 0 });
  const invite = received(await d.done, 'INVITE')?.text ?? '';
  t.match(
    invite,
    new RegExp(
      `^Diversion: <sip:\\${TRACKING}@127\\.0\\.0\\.1:\\d+;user=phone>;reason=unconditional;counter=1\\r?$`,
      'm',
    ),
  );
  t.notMatch(invite, /^History-Info:/m);
});

t.test('a dealer forwarding to its own tracking number: the second lap gets 482', async (t) => {
  let standinPort = 0;
  const pbx = await forwardingPbx(t, {
    number: TRACKING,
    get port() {
      return standinPort;
    },
  });
  const gw = await startGateway(t, {
    'customers.yaml': CUSTOMERS,
    'numbers.yaml': numbersYaml([{ port: pbx.port }]),
  });
  standinPort = gw.sip.port;
  t.match(
    await call(gw, 'uac-expect-final-failure.xml'),
    { exitCode: 0 },
    'the caller got a final failure',
  );
  const records = await gw.records(2);
  const lap2 = records.find((r) => r.rejectReason === 'loop');
  const lap1 = records.find((r) => r !== lap2);
  t.match(
    lap2,
    { outcome: 'rejected', sipStatus: 482, trackingNumber: TRACKING },
    'the second lap',
  );
  t.match(
    lap1,
    { trackingNumber: TRACKING, attempts: [{ index: 0, status: 482 }] },
    'the first lap',
  );
  await new Promise((r) => setTimeout(r, 500));
  t.equal((await gw.records(2)).length, 2, 'no third lap: each lap would be a billed call');
  t.ok(
    pbx.received.some((m) => m.startsWith('SIP/2.0 482')),
    'the PBX got the 482',
  );
  await logged(t, gw, /"reason":"loop","status":482/);
});

t.test('a number at its maxConcurrentCalls: the next caller hears busy (486)', async (t) => {
  const d = await dealer('uas-answer-200.xml');
  const gw = await startGateway(t, {
    'customers.yaml': CUSTOMERS,
    'numbers.yaml': numbersYaml([{ port: d.port }], ['options:', '  maxConcurrentCalls: 1']),
  });
  const first = call(gw, 'uac-expect-200-hold-3s-caller-bye.xml');
  await waitFor(() => gw.logs().includes('"msg":"forwarding"'), 10_000, 'the first call forwarded');
  const second = await call(gw, 'uac-expect-486.xml');
  t.match(second, { exitCode: 0 }, 'the second caller got 486');
  t.match(await first, { exitCode: 0 }, 'the first call went on');
  const records = await gw.records(2);
  t.match(records[0], { rejectReason: 'number-busy', sipStatus: 486, trackingNumber: TRACKING });
  t.match(records[1], { outcome: 'answered' });
});

t.test('a bad carriers file: the gateway exits 2 with file:line:col per problem', async (t) => {
  const file = carriersFile(
    t,
    'version: 1\ncarriers:\n  - name: telekom\n    cidrs: ["192.0.2.0/24"]\n    trustIdentity: maybe\n    rate: 5\n',
  );
  const err = await startGateway(
    t,
    { 'customers.yaml': CUSTOMERS, 'numbers.yaml': numbersYaml([{ port: 9 }]) },
    { CARRIERS_FILE: file },
    {},
    'healthy',
  ).then(
    () => undefined,
    (e: Error) => e.message,
  );
  t.match(err, /^gateway exited with 2:/);
  t.match(err, /carriers\.yaml:5:20: 'trustIdentity' must be a boolean, not string/);
  t.match(err, /carriers\.yaml:6:5: unknown field 'rate'/);
});
