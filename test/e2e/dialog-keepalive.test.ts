/**
 * Dialog keepalive (DIALOG_KEEPALIVE_S, src/call/call-watch.ts): every interval the gateway asks
 * both legs of a connected call with an OPTIONS inside their dialogs. A caller that no longer
 * knows the call (its BYE was lost: it answers 481) ends the call at once instead of at the
 * maximum duration: the dealer gets a BYE with the reason, the record says `caller-lost`. A dealer
 * gone silent is found by the OPTIONS's timeout (drachtio-server's 408): `dealer-lost`. Legs
 * that answer 200 keep the call, however often they are asked. On the stand-in and, with
 * TEST_DRACHTIO_BIN, the real drachtio-server.
 */
import t from 'tap';
import { oneCall, received } from '../helpers/call-bed.js';
import { waitFor } from '../helpers/wait.js';

const EVERY_SECOND = { DIALOG_KEEPALIVE_S: '1' };
const DEALER = 'uas-answer-200-answer-options-until-bye.xml';

t.test("a caller whose BYE was lost: the keepalive's 481 ends the call, caller-lost", async (t) => {
  const { gw, caller, dealer } = await oneCall(
    t,
    { caller: 'uac-expect-200-lose-call-answer-options-481.xml', dealer: DEALER },
    EVERY_SECOND,
  );
  t.match(
    received(caller, 'OPTIONS')?.text,
    /^OPTIONS sip:/,
    'the caller was asked inside its dialog',
  );
  t.match(
    received(dealer, 'BYE')?.text,
    /^Reason: SIP;cause=408;text="caller lost"/m,
    'the dealer was released with the reason',
  );
  t.match((await gw.records(1))[0], { outcome: 'answered', endedBy: 'caller-lost' });
  await waitFor(
    async () => /^calltrack_call_ends_total\{ended_by="caller-lost"\} 1$/m.test(await gw.metrics()),
    5000,
    'counted',
  );
});

t.test('legs that answer keep the call: asked every interval, ended by the caller', async (t) => {
  const { gw, caller, dealer } = await oneCall(
    t,
    { caller: 'uac-expect-200-answer-3-options-caller-bye.xml', dealer: DEALER },
    EVERY_SECOND,
  );
  const asked = dealer.messages.filter(
    (m) => m.dir === 'received' && m.firstLine.startsWith('OPTIONS'),
  );
  t.ok(asked.length >= 2, `the dealer was asked too (${asked.length} times)`);
  t.notOk(received(caller, 'BYE'), 'the caller got no BYE');
  t.match((await gw.records(1))[0], { outcome: 'answered', endedBy: 'caller' });
});

t.test('a dealer gone silent: its keepalive times out (408), dealer-lost', async (t) => {
  const { gw, caller } = await oneCall(
    t,
    {
      caller: 'uac-expect-200-answer-options-until-bye.xml',
      dealer: 'uas-answer-200-ignore-options-expect-bye.xml',
    },
    EVERY_SECOND,
  );
  t.match(
    received(caller, 'BYE')?.text,
    /^Reason: SIP;cause=408;text="dealer lost"/m,
    'the caller was released with the reason',
  );
  t.match((await gw.records(1))[0], { outcome: 'answered', endedBy: 'dealer-lost' });
});
