/**
 * A gateway whose event loop was busy (an overload, a long GC) reads its drachtio connection late
 * and finds several frames at once: the confirmation of its 200 to the caller, the caller's ACK
 * and the caller's BYE or re-INVITE. drachtio-srf dispatches them in the same read, before the
 * promise of the 200 lets the call path go on. Before these tests such a BYE was lost (the call
 * stayed up until MAX_CALL_DURATION_S, without its record, and the dealer never got a BYE) and
 * such a re-INVITE was answered by srf itself, never relayed. Each case fails on both servers
 * without the fix. Runs on the stand-in and, with TEST_DRACHTIO_BIN, the real drachtio-server.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import t, { type Test } from 'tap';
import {
  CALLER,
  CUSTOMERS,
  callThrough,
  dealerSipp,
  numbersYaml,
  received,
  TRACKING,
} from '../helpers/call-bed.js';
import { startDrachtio } from '../helpers/drachtio-peer.js';
import { startGateway } from '../helpers/gateway.js';
import { lateReaderProxy } from '../helpers/late-reader-proxy.js';
import { passed, type SippResult } from '../helpers/sipp.js';
import { waitFor } from '../helpers/wait.js';
import type { AppFrame } from '../standin/wire.js';

/** The server's confirmation that the gateway's 200 to an INVITE went out. */
const okToInviteSent = (f: AppFrame) =>
  f.type === 'response' &&
  f.sip.startsWith('SIP/2.0 200 ') &&
  /^CSeq: *\d+ INVITE\r?$/im.test(f.sip);
/** A request of the caller's, inside the dialog (its dialogId, the 10th field, is set). */
const arrived = (method: string) => (f: AppFrame) =>
  f.type === 'sip' && !!f.tokens[9] && f.sip.startsWith(`${method} `);

async function lateRead(
  t: Test,
  scenarios: { caller: string; dealer: string },
  until = arrived('BYE'),
): Promise<{ caller: SippResult; dealer: SippResult }> {
  const server = await startDrachtio('cymru');
  t.teardown(() => server.close());
  const proxy = await lateReaderProxy(t, server.adminAddress.port, {
    from: okToInviteSent,
    until,
  });
  const d = await dealerSipp(scenarios.dealer);
  const gw = await startGateway(
    t,
    { 'customers.yaml': CUSTOMERS, 'numbers.yaml': numbersYaml([{ port: d.port }]) },
    { DRACHTIO: `127.0.0.1:${proxy.port}` },
    { server },
  );
  const caller = await callThrough({ sip: server.sipAddress }, scenarios.caller, TRACKING, CALLER);
  t.match(caller, { exitCode: 0 }, `the caller was connected and hung up: ${caller.errors}`);
  // 0 if the caller's request never reached the server: the gap was never handed over
  const together = await Promise.race([proxy.delivered, sleep(5000).then(() => 0)]);
  t.ok(
    together >= 3,
    "the gateway read the 200's confirmation, the ACK and the caller's next request at once",
  );
  const dealer = await passed(t, d, 'the dealer: answered, then got what the caller sent');
  t.match(
    (await gw.records(1))[0],
    { outcome: 'answered', sipStatus: 200, endedBy: 'caller' },
    'the call ended, with its record',
  );
  await waitFor(
    async () => /^calltrack_active_calls 0$/m.test(await gw.metrics()),
    5000,
    'no call left active',
  );
  return { caller, dealer };
}

t.test('the caller offered: its BYE read with the 200', (t) =>
  lateRead(t, { caller: 'uac-expect-200-caller-bye.xml', dealer: 'uas-answer-200.xml' }),
);

t.test("the caller's offer came late, in its ACK: ACK and BYE read with the 200", (t) =>
  lateRead(t, {
    caller: 'uac-late-offer-ack-after-1s-caller-bye.xml',
    dealer: 'uas-answer-offer-expect-ack-answer.xml',
  }),
);

t.test(
  "the caller's hold re-INVITE read with the 200 is relayed, not answered by srf",
  async (t) => {
    const { caller, dealer } = await lateRead(
      t,
      {
        caller: 'uac-hold-expect-recvonly-caller-bye.xml',
        dealer: 'uas-answer-expect-hold-recvonly.xml',
      },
      arrived('INVITE'),
    );
    const invites = dealer.messages.filter(
      (m) => m.dir === 'received' && m.firstLine.startsWith('INVITE '),
    );
    t.equal(invites.length, 2, 'the dealer got the INVITE and the hold re-INVITE');
    t.match(invites[1]?.text, /^a=sendonly/m, "with the caller's direction");
    const answers = caller.messages.filter(
      (m) => m.dir === 'received' && m.firstLine.startsWith('SIP/2.0 200'),
    );
    t.match(answers[1]?.text, /^o=dealer 1 2 /m, "the caller's hold got the dealer's answer");
    t.ok(received(dealer, 'BYE'), 'and the BYE after it');
  },
);
