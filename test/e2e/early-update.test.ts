/**
 * A caller's UPDATE in the early dialog (RFC 3311), while the dealer's early media plays: one
 * without SDP changes nothing and gets 200; an offer cannot be passed on to a dealer whose early
 * dialog is unreliable, so it gets 488 and the call goes on as it was (src/sip/inbound-leg.ts).
 * Without the gateway's answer srf would send 500 with Retry-After. Runs on the stand-in and, with
 * TEST_DRACHTIO_BIN, on the real drachtio-server.
 */
import t from 'tap';
import { oneCall, receivedAnswer } from '../helpers/call-bed.js';

t.test(
  'an UPDATE without SDP gets 200, one with an offer 488; the call is put through',
  async (t) => {
    const { gw, caller, dealer } = await oneCall(
      t,
      {
        caller: 'uac-expect-183-update-200-offer-488-then-200-caller-bye.xml',
        dealer: 'uas-early-media-5s-then-answer.xml',
      },
      {},
      {},
      { timeoutMs: 30_000 },
    );
    const refused = receivedAnswer(caller, 488);
    t.match(refused?.text, /^CSeq: 3 UPDATE\r?$/m, 'the offer refused');
    t.match(refused?.text, /^Warning: 399 calltrack "[^"]+"\r?$/m, 'saying why');
    t.notOk(
      dealer.messages.some((m) => m.dir === 'received' && m.firstLine.startsWith('UPDATE ')),
      'the dealer is asked nothing',
    );
    t.match(
      (await gw.records(1))[0],
      { outcome: 'answered', endedBy: 'caller' },
      'an answered call, in the record',
    );
  },
);
