/**
 * Dialog keepalive (DIALOG_KEEPALIVE_S, src/call/call-watch.ts): every interval the gateway asks
 * both legs of a connected call with an OPTIONS inside their dialogs. A caller that no longer
 * knows the call (its BYE was lost: it answers 481) ends the call at once instead of at the
 * maximum duration: the dealer gets a BYE with the reason, the record says `caller-lost`. A dealer
 * gone silent is found by the OPTIONS's timeout (drachtio-server's 408): `dealer-lost`. A side
 * whose process died (its port closed) is found at once: the ICMP port unreachable the OPTIONS
 * draws makes drachtio-server's stack answer 503 itself, as does the refused connection of a side
 * on TCP; a request relayed to such a side meets
 * that 503 and prompts a keepalive at once. Legs that answer 200 keep the call,
 * however often they are asked. On the stand-in and, with TEST_DRACHTIO_BIN, the real
 * drachtio-server.
 */
import t, { type Test } from 'tap';
import {
  CALLER,
  CUSTOMERS,
  numbersYaml,
  oneCall,
  received,
  TRACKING,
} from '../helpers/call-bed.js';
import { type Gateway, startGateway } from '../helpers/gateway.js';
import { passed, type SippRun, startSipp } from '../helpers/sipp.js';
import { fromApp, toApp } from '../helpers/standin-bed.js';
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

/**
 * A call between a sipp caller and a sipp dealer that answers OPTIONS, connected and still up;
 * with `transport: 'tcp'` both talk to drachtio over TCP.
 */
async function connectedCall(
  t: Test,
  callerScenario = 'uac-expect-200-answer-options-until-bye.xml',
  env: Record<string, string> = EVERY_SECOND,
  transport?: 'tcp',
): Promise<{ gw: Gateway; caller: SippRun; dealer: SippRun }> {
  const dealer = await startSipp({ scenario: DEALER, timeoutMs: 20_000, transport });
  const gw = await startGateway(
    t,
    {
      'customers.yaml': CUSTOMERS,
      'numbers.yaml': numbersYaml([{ port: dealer.port, transport }]),
    },
    env,
  );
  const caller = await startSipp({
    scenario: callerScenario,
    remote: gw.sip,
    keys: { caller: CALLER, called: TRACKING },
    timeoutMs: 20_000,
    transport,
  });
  // connected: the caller's ACK reached the gateway, and the gateway ACKed the dealer's 200
  await waitFor(
    () =>
      toApp(gw.standin.trace, 'sip').some((f) => f.sip.startsWith('ACK')) &&
      fromApp(gw.standin.trace).some((f) => f.sip.startsWith('ACK')),
    10_000,
    'both legs to be confirmed',
  );
  return { gw, caller, dealer };
}

type ConnectedCall = Awaited<ReturnType<typeof connectedCall>>;

/** Kills one side's sipp (its port closes); the other side must get the BYE, the record say so. */
async function oneSideDies(t: Test, call: ConnectedCall, dies: 'caller' | 'dealer') {
  const other = dies === 'caller' ? 'dealer' : 'caller';
  call[dies].kill();
  await call[dies].done;
  const heard = await passed(t, call[other], other);
  t.match(
    received(heard, 'BYE')?.text,
    new RegExp(`^Reason: SIP;cause=408;text="${dies} lost"`, 'm'),
    `the ${other} was released with the reason`,
  );
  t.match((await call.gw.records(1))[0], { outcome: 'answered', endedBy: `${dies}-lost` });
}

t.test("a dealer whose process died: the stack's 503 for its closed port, dealer-lost", async (t) =>
  oneSideDies(t, await connectedCall(t), 'dealer'),
);

t.test("a caller whose process died: the stack's 503 for its closed port, caller-lost", async (t) =>
  oneSideDies(t, await connectedCall(t), 'caller'),
);

t.test('over TCP, a dealer whose process died: its connection refused, dealer-lost', async (t) =>
  oneSideDies(t, await connectedCall(t, undefined, EVERY_SECOND, 'tcp'), 'dealer'),
);

t.test("over TCP, a caller whose process died: the stack's 503 again, caller-lost", async (t) =>
  oneSideDies(t, await connectedCall(t, undefined, EVERY_SECOND, 'tcp'), 'caller'),
);

t.test(
  'a re-INVITE relayed to a dealer that died: the OPTIONS it prompts finds it gone',
  async (t) => {
    // the keepalive's interval is the default 5 minutes: what ends the call is the failed relay,
    // whose 503 the caller got before the BYE (its scenario expects both, in that order)
    const call = await connectedCall(t, 'uac-hold-after-1500ms-expect-503-await-bye.xml', {});
    await oneSideDies(t, call, 'dealer');
  },
);
