/**
 * Blind transfer by the dealer (REFER), signalling only: 202, NOTIFYs with sipfrag progress, the
 * target called through the trunk without an offer, its offer to the caller in a re-INVITE and
 * the caller's answer in the target's ACK, the dealer released, the record noting it. Refusals:
 * REFER from the caller, to a tracking number, outside DE/AT, attended (Replaces). A REFER during
 * the whisper waits until the caller is connected.
 */
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
import { fsLegCallId, released, startMediaGateway, WHISPER } from '../helpers/media-bed.js';
import { passed, startSipp } from '../helpers/sipp.js';

const TARGET = '+493089001234';
/** How long a target waits before it answers, where the dealer hangs up right after its REFER. */
const TARGET_DELAY_MS = 300;

/**
 * A dealer (sipp) that will REFER to `target`, and a transfer target behind the trunk. The target
 * answers TARGET_DELAY_MS late: NOTIFYs of its progress must not come back to back with the first
 * one (or cross a dealer's BYE), since sipp takes no request while it is about to send an answer
 * (the gateway copes either way).
 */
async function bed(t: Test, dealerScenario: string, target: string, targetScenario?: string) {
  const d = await startSipp({ scenario: dealerScenario, keys: { target }, timeoutMs: 20_000 });
  const tg = targetScenario
    ? await startSipp({
        scenario: targetScenario,
        timeoutMs: 20_000,
        extraArgs: ['-d', String(TARGET_DELAY_MS)],
      })
    : undefined;
  const gw = await startGateway(
    t,
    { 'customers.yaml': CUSTOMERS, 'numbers.yaml': numbersYaml([{ port: d.port }]) },
    { OUTBOUND_TRUNK: `sip:127.0.0.1:${tg?.port ?? 9}` },
  );
  return { d, tg, gw };
}

/**
 * A media-anchored call whose dealer REFERs 300 ms after its ACK to a target that answers; the
 * caller stays 1.5 s after its 200. `whisperMs`: how long the whisper plays to the dealer.
 */
async function anchoredTransfer(t: Test, whisperMs = 200) {
  const d = await startSipp({
    scenario: 'uas-answer-then-refer-expect-notify-200.xml',
    keys: { target: TARGET },
    timeoutMs: 20_000,
  });
  const tg = await dealer('uas-answer-200.xml');
  const gw = await startMediaGateway(
    t,
    [{ port: d.port }],
    { files: { [WHISPER]: whisperMs } },
    undefined,
    { OUTBOUND_TRUNK: `sip:127.0.0.1:${tg.port}` },
  );
  const c = await call(gw, 'uac-expect-183-then-200-hold-1500ms-caller-bye.xml');
  t.match(c, { exitCode: 0, counts: { successful: 1 } }, `caller: ${c.errors}`);
  return { d, tg, gw, c };
}

t.test('the dealer transfers the caller: NOTIFYs, the target talks to the caller', async (t) => {
  const { d, tg, gw } = await bed(
    t,
    'uas-answer-then-refer-expect-notify-200.xml',
    TARGET,
    'uas-answer-offer-expect-ack-answer.xml',
  );
  const c = await call(gw, 'uac-expect-200-answer-reinvite-caller-bye.xml');
  t.match(c, { exitCode: 0, counts: { successful: 1 } }, `caller: ${c.errors}`);
  const dealerSaw = await d.done;
  t.match(dealerSaw, { exitCode: 0 }, `dealer: 202, three NOTIFYs, BYE: ${dealerSaw.errors}`);
  const targetSaw = await tg!.done;
  t.match(targetSaw, { exitCode: 0 }, `target: ${targetSaw.errors}`);
  const invite = received(targetSaw, 'INVITE')?.text ?? '';
  t.match(invite, new RegExp(`^INVITE sip:\\${TARGET}@127\\.0\\.0\\.1:\\d+ `), 'through the trunk');
  t.match(invite, /^From: <sip:\+4917699887766@/m, "the target sees the caller's number");
  const reoffer = received(c, 'INVITE')?.text ?? '';
  t.match(reoffer, /^o=dealer 11111 22222 /m, "the caller got the target's offer");
  t.match(
    received(targetSaw, 'ACK')?.text,
    /^o=caller 1 2 /m,
    "the target got the caller's answer",
  );
  const notifies = dealerSaw.messages.filter(
    (m) => m.dir === 'received' && m.firstLine.startsWith('NOTIFY'),
  );
  for (const n of notifies) {
    t.match(n.text, /^Event: refer$/m);
    t.match(n.text, /^Content-Type: message\/sipfrag;version=2\.0$/m);
  }
  t.match(received(dealerSaw, 'BYE')?.text, /^Reason: SIP;cause=200;text="call transferred"/m);
  const [r] = await gw.records(1);
  t.match(r, {
    outcome: 'answered',
    endedBy: 'caller',
    transfer: { result: 'completed', target: 'e164', sipStatus: 200 },
  });
  t.match(await gw.metrics(), /^calltrack_transfers_total\{result="completed"\} 1$/m);
});

t.test(
  'the dealer hangs up right after its REFER: the caller still reaches the target',
  async (t) => {
    const { d, tg, gw } = await bed(
      t,
      'uas-answer-refer-then-bye-at-once.xml',
      TARGET,
      'uas-answer-offer-expect-ack-answer.xml',
    );
    const c = await call(gw, 'uac-expect-200-answer-reinvite-caller-bye.xml');
    t.match(c, { exitCode: 0, counts: { successful: 1 } }, `caller: ${c.errors}`);
    const dealerSaw = await d.done;
    t.match(dealerSaw, { exitCode: 0 }, `dealer: ${dealerSaw.errors}`);
    const targetSaw = await tg!.done;
    t.match(targetSaw, { exitCode: 0 }, `the target talked to the caller: ${targetSaw.errors}`);
    t.match((await gw.records(1))[0], {
      outcome: 'answered',
      endedBy: 'caller',
      transfer: { result: 'completed', sipStatus: 200 },
    });
  },
);

t.test('the dealer hung up and the target is busy: the caller gets a BYE', async (t) => {
  const { d, tg, gw } = await bed(
    t,
    'uas-answer-refer-then-bye-at-once.xml',
    TARGET,
    'uas-busy-486.xml',
  );
  // waits for the gateway's BYE: nobody is left to talk to
  const c = await call(gw, 'uac-expect-200-await-bye.xml');
  t.match(c, { exitCode: 0 }, `caller: ${c.errors}`);
  await passed(t, d, 'dealer');
  await passed(t, tg!, 'target');
  t.match((await gw.records(1))[0], {
    outcome: 'answered',
    endedBy: 'dealer',
    transfer: { result: 'failed', sipStatus: 486 },
  });
});

t.test('the target is busy: NOTIFY 486, the call stays with the dealer', async (t) => {
  const { d, tg, gw } = await bed(
    t,
    'uas-answer-then-refer-expect-notify-failure.xml',
    TARGET,
    'uas-busy-486.xml',
  );
  const c = await call(gw, 'uac-expect-200-await-bye.xml');
  t.match(c, { exitCode: 0 }, `the caller stayed with the dealer until its BYE: ${c.errors}`);
  const dealerSaw = await d.done;
  t.match(dealerSaw, { exitCode: 0 }, `dealer: ${dealerSaw.errors}`);
  await passed(t, tg!, 'target');
  const final = dealerSaw.messages
    .filter((m) => m.dir === 'received' && m.firstLine.startsWith('NOTIFY'))
    .at(-1);
  t.match(final?.text, /^SIP\/2\.0 486 Busy Here/m);
  t.match((await gw.records(1))[0], {
    outcome: 'answered',
    endedBy: 'dealer',
    transfer: { result: 'failed', sipStatus: 486 },
  });
});

const refusals: [string, string][] = [
  ['to a tracking number (it would loop as a new billed call)', '<sip:+493025550101@127.0.0.1>'],
  ['outside DE/AT', '<sip:+41445551234@127.0.0.1>'],
  [
    'attended (Replaces)',
    '<sip:+493089001234@127.0.0.1?Replaces=abc%40h%3Bto-tag%3D1%3Bfrom-tag%3D2>',
  ],
];
for (const [what, referTo] of refusals) {
  t.test(`a transfer ${what} is refused with 403, the call goes on`, async (t) => {
    const { d, gw } = await bed(t, 'uas-answer-then-refer-expect-403.xml', referTo);
    const c = await call(gw, 'uac-expect-200-await-bye.xml');
    t.match(c, { exitCode: 0 }, `caller: ${c.errors}`);
    const dealerSaw = await d.done;
    t.match(dealerSaw, { exitCode: 0 }, `dealer got 403: ${dealerSaw.errors}`);
    const [r] = await gw.records(1);
    t.match(r, { outcome: 'answered', endedBy: 'dealer' });
    t.notOk(r?.transfer, 'no transfer happened');
  });
}

t.test('REFER from the caller gets 403', async (t) => {
  // the caller's scenario expects the 403
  const { dealer: dealerSaw } = await oneCall(t, {
    caller: 'uac-refer-expect-403-caller-bye.xml',
    dealer: 'uas-answer-200.xml',
  });
  t.notOk(received(dealerSaw, 'REFER'), 'nothing reached the dealer');
});

t.test(
  'media-anchored: the target is offered FreeSWITCH, the caller is not disturbed',
  async (t) => {
    const { d, tg, gw, c } = await anchoredTransfer(t);
    t.notOk(received(c, 'INVITE'), 'no re-INVITE for the caller: FreeSWITCH anchors its media');
    t.match(await d.done, { exitCode: 0 }, 'the dealer got 202, NOTIFYs and its BYE');
    const targetSaw = await tg.done;
    t.match(targetSaw, { exitCode: 0 }, 'the target talked to the caller until the BYE');
    t.match(
      received(targetSaw, 'INVITE')?.text,
      /^o=FreeSWITCH /m,
      "the target got FreeSWITCH's offer",
    );
    const dealerLeg = fsLegCallId(gw.fs, /o=calltrack/);
    const moves = gw.fs.trace.filter(
      (r) =>
        r.kind === 'sip' &&
        r.dir === 'in' &&
        r.firstLine.startsWith('INVITE ') &&
        r.text.includes(`Call-ID: ${dealerLeg}`),
    );
    t.equal(
      moves.length,
      3,
      "the dealer's endpoint: created, pointed at the dealer, then at the target",
    );
    t.match((await gw.records(1))[0], {
      outcome: 'answered',
      endedBy: 'caller',
      transfer: { result: 'completed', target: 'e164' },
      media: { anchored: true },
    });
    await released(t, gw);
  },
);

t.test(
  'a REFER during the whisper waits until the caller is connected, then transfers',
  async (t) => {
    // the dealer REFERs 300 ms after its ACK, while this whisper still plays to it
    const { d, tg, gw } = await anchoredTransfer(t, 2000);
    t.match(await d.done, { exitCode: 0 }, 'the dealer got 202 (not 403), NOTIFYs and its BYE');
    t.match(await tg.done, { exitCode: 0 }, 'the target talked to the caller until the BYE');
    t.match((await gw.records(1))[0], {
      outcome: 'answered',
      transfer: { result: 'completed', target: 'e164' },
    });
    await released(t, gw);
  },
);
