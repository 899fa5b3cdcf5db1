/**
 * A gateway whose event loop was busy (an overload, a long GC) reads its drachtio connection late
 * and finds several frames at once: the confirmation of its 200 to the caller, the caller's ACK
 * and the caller's BYE. drachtio-srf dispatches the BYE in the same read, before the promise of
 * the 200 lets the call path go on: the dialog has already ended when the call takes it. The call
 * must still end, with its record, and the dealer must get its BYE; before this test a call like
 * that stayed up until MAX_CALL_DURATION_S (the cps bench's 225 calls "still in progress" after
 * its overload step). Runs on the stand-in and, with TEST_DRACHTIO_BIN, the real drachtio-server.
 */
import t, { type Test } from 'tap';
import {
  CALLER,
  CUSTOMERS,
  callThrough,
  dealerSipp,
  numbersYaml,
  TRACKING,
} from '../helpers/call-bed.js';
import { startDrachtio } from '../helpers/drachtio-peer.js';
import { startGateway } from '../helpers/gateway.js';
import { lateReaderProxy, sipOf } from '../helpers/late-reader-proxy.js';
import { passed } from '../helpers/sipp.js';
import { waitFor } from '../helpers/wait.js';

/** The server's confirmation that the gateway's 200 to an INVITE went out. */
const okToInviteSent = (frame: string) =>
  frame.split('|')[1] === 'response' &&
  sipOf(frame).startsWith('SIP/2.0 200 ') &&
  /^CSeq: *\d+ INVITE\r?$/im.test(sipOf(frame));
const byeArrived = (frame: string) =>
  frame.split('|')[1] === 'sip' && sipOf(frame).startsWith('BYE ');

async function lateRead(t: Test, scenarios: { caller: string; dealer: string }) {
  const server = await startDrachtio('cymru');
  t.teardown(() => server.close());
  const proxy = await lateReaderProxy(t, server.adminAddress.port, {
    from: okToInviteSent,
    until: byeArrived,
  });
  const d = await dealerSipp(scenarios.dealer);
  const gw = await startGateway(
    t,
    { 'customers.yaml': CUSTOMERS, 'numbers.yaml': numbersYaml([{ port: d.port }]) },
    { DRACHTIO: `127.0.0.1:${proxy.port}` },
  );
  const caller = await callThrough({ sip: server.sipAddress }, scenarios.caller, TRACKING, CALLER);
  t.match(caller, { exitCode: 0 }, `the caller was connected and hung up: ${caller.errors}`);
  t.ok(
    (await proxy.delivered) >= 3,
    "the gateway read the 200's confirmation, the ACK and the BYE at once",
  );
  await passed(t, d, 'the dealer: answered, then got a BYE');
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
