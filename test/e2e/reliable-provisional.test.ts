/**
 * A caller whose INVITE requires 100rel (RFC 3262), as some interconnects send it: put through,
 * the dealer's 183 reaching it reliably, where the gateway used to refuse it with 420. drachtio-
 * server's SIP stack does the reliability (src/edge/extensions.ts); these tests hold the gateway to
 * what callers see through it. Runs on the stand-in and, with TEST_DRACHTIO_BIN, on the real
 * drachtio-server.
 */
import t from 'tap';
import { oneCall, received, receivedAnswer } from '../helpers/call-bed.js';
import { logged } from '../helpers/gateway.js';
import { datagrams } from '../helpers/standin-bed.js';

t.test(
  'the dealer’s early media reaches the caller reliably; its PRACK answered, the call is put through',
  async (t) => {
    const { gw, caller } = await oneCall(t, {
      caller: 'uac-require-100rel-prack-183-caller-bye.xml',
      dealer: 'uas-early-media-then-answer.xml',
    });
    const progress = receivedAnswer(caller, 183);
    t.match(progress?.text, /^Require: 100rel\r?$/m, 'the 183 requires the PRACK');
    t.match(progress?.text, /^RSeq: \d+\r?$/m, 'with its RSeq');
    t.match(progress?.text, /^o=second /m, "with the dealer's early SDP");
    const answers = caller.messages.filter(
      (m) => m.dir === 'received' && m.firstLine.startsWith('SIP/2.0 200'),
    );
    t.match(
      answers.map((m) => /^CSeq: *(.*?)\r?$/m.exec(m.text)?.[1]),
      ['2 PRACK', '1 INVITE', '3 BYE'],
      'the PRACK answered, then the call, then the BYE',
    );
    t.match(
      (await gw.records(1))[0],
      {
        outcome: 'answered',
        sipStatus: 200,
        endedBy: 'caller',
      },
      'an answered call, in the record',
    );
  },
);

t.test(
  'a caller that never PRACKs gets 503 from the stack; the dealer answering later is released, the record says caller-lost',
  { timeout: 60_000 },
  async (t) => {
    const { gw, caller, dealer } = await oneCall(
      t,
      {
        caller: 'uac-require-100rel-never-prack-expect-503.xml',
        dealer: 'uas-early-media-5s-then-answer.xml',
      },
      {},
      {},
      { timeoutMs: 30_000 },
    );
    t.match(
      receivedAnswer(caller, 503)?.firstLine,
      'SIP/2.0 503 Reliable Response Time-Out',
      "64×T1 after the 183 (T1 is the tests' 50 ms)",
    );
    t.ok(received(dealer, 'BYE'), 'the dealer, answered after the 503, gets ACK and BYE');
    t.match(
      (await gw.records(1))[0],
      {
        outcome: 'cancelled',
        sipStatus: 408,
        endedBy: 'caller-lost',
        attempts: [{ status: 200, cause: 'answered' }],
      },
      'the record: the dealer answered, the caller had gone (no answer of ours reached it)',
    );
    // drachtio-server refuses the 200 (`unknown transaction`), which the gateway reads as the
    // caller gone (src/sip/inbound-leg.ts #accept)
    await logged(
      t,
      gw,
      /call ended by caller-lost.*"msg":"caller not connected when the dealer answered/,
      'drachtio-server refused the 200 for a caller it had given up',
    );
  },
);

t.test(
  'a caller that never PRACKs while the dealer answers at once: the 200 the stack held is lost; after 32 s without an ACK the call ends caller-lost, both sides get BYE',
  { timeout: 90_000 },
  async (t) => {
    const { gw, caller, dealer } = await oneCall(
      t,
      {
        caller: 'uac-require-100rel-never-prack-expect-503.xml',
        dealer: 'uas-early-media-then-answer-bye-within-40s.xml',
      },
      {},
      {},
      { timeoutMs: 45_000 },
    );
    t.match(receivedAnswer(caller, 503)?.firstLine, 'SIP/2.0 503 Reliable Response Time-Out');
    t.notOk(receivedAnswer(caller, 200), 'our 200 never reached the caller');
    t.match(
      received(dealer, 'BYE')?.text,
      /^Reason: SIP;cause=408;text="caller lost"\r?$/m,
      'the dealer gets BYE: caller lost',
    );
    const [record] = await gw.records(1);
    t.match(record, { outcome: 'answered', endedBy: 'caller-lost' }, 'the record says so');
    const talk = Number(record?.talkMs);
    t.ok(talk >= 31_000 && talk < 40_000, `talk time up to the ACK wait: ${talk} ms`);
    // the caller, done with the call since the 503, does not answer: its BYE is resent
    const byes = datagrams(gw.standin.trace, 'out').filter((d) => d.firstLine.startsWith('BYE'));
    t.equal(
      new Set(byes.map((d) => /^Call-ID: *(.*?)\r?$/m.exec(d.text)?.[1])).size,
      2,
      "a BYE in each leg's dialog: the caller's clears drachtio-server's dialog",
    );
  },
);

t.test(
  'a caller that requires 100rel and ACKs keeps its call past the 32 s ACK wait',
  { timeout: 90_000 },
  async (t) => {
    const { gw, caller, dealer } = await oneCall(
      t,
      {
        caller: 'uac-require-100rel-prack-183-hold-34s-caller-bye.xml',
        dealer: 'uas-early-media-then-answer-bye-within-40s.xml',
      },
      {},
      {},
      { timeoutMs: 45_000 },
    );
    t.notOk(received(caller, 'BYE'), 'no BYE from the gateway');
    t.notMatch(received(dealer, 'BYE')?.text, /caller lost/, "the dealer's BYE is the caller's");
    const [record] = await gw.records(1);
    t.match(record, { outcome: 'answered', endedBy: 'caller' });
    t.ok(Number(record?.talkMs) >= 34_000, `talk time ${record?.talkMs} ms`);
  },
);
