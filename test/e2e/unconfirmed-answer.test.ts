/**
 * A caller our 200 never reaches (a NAT that drops it, a caller that died as the dealer picked
 * up): it never ACKs. drachtio-server resends the 200 and after its ACK timeout (32 s, a constant
 * of its build; the stand-in's is shortened here) BYEs the caller itself with `Reason: ...;text="ACK
 * timeout"` and tells the gateway with that BYE (sip-dialog-controller.cpp). The record must say
 * the caller was lost, not that it hung up after talking until then. Runs on the stand-in and,
 * with TEST_DRACHTIO_BIN, on the real drachtio-server.
 */
import t from 'tap';
import { oneCall, received } from '../helpers/call-bed.js';
import { againstRealDrachtio } from '../helpers/drachtio-peer.js';
import { datagrams } from '../helpers/standin-bed.js';

const ACK_TIMEOUT_MS = againstRealDrachtio() ? 32_000 : 3000;

t.test(
  'a caller that never ACKs the answer: drachtio-server BYEs it, the dealer gets BYE "caller lost", the record says caller-lost',
  { timeout: ACK_TIMEOUT_MS + 60_000 },
  async (t) => {
    const { gw, caller, dealer } = await oneCall(
      t,
      { caller: 'uac-expect-200-no-ack.xml', dealer: 'uas-answer-200.xml' },
      {},
      againstRealDrachtio() ? {} : { ackTimeout: ACK_TIMEOUT_MS },
      { timeoutMs: ACK_TIMEOUT_MS + 30_000 },
    );
    t.match(
      received(caller, 'BYE')?.text,
      /^Reason: SIP ?;cause=200 ?;text="ACK timeout"\r?$/m,
      "the caller's BYE is drachtio-server's own",
    );
    t.match(
      received(dealer, 'BYE')?.text,
      /^Reason: SIP;cause=408;text="caller lost"\r?$/m,
      'the dealer is told the caller was lost, not that it hung up',
    );
    const [record] = await gw.records(1);
    t.match(record, { outcome: 'answered', sipStatus: 200, endedBy: 'caller-lost' });
    const talk = Number(record?.talkMs);
    t.ok(
      talk >= ACK_TIMEOUT_MS - 500 && talk < ACK_TIMEOUT_MS + 10_000,
      `talk time up to drachtio's ACK timeout: ${talk} ms`,
    );
    const callerCallId = /^Call-ID: *(.*?)\r?$/m.exec(received(caller, 'BYE')?.text ?? '')?.[1];
    const byesToCaller = datagrams(gw.standin.trace, 'out').filter(
      (d) => d.firstLine.startsWith('BYE') && d.text.includes(`Call-ID: ${callerCallId}`),
    );
    t.equal(byesToCaller.length, 1, 'no second BYE from the gateway: the dialog is gone');
  },
);
