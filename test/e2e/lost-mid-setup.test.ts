/**
 * A call caught by a fault while the gateway waits on something that will never answer still
 * ends, with one record, and the active-call gauge returns to 0 (issue 16, faults under load):
 * FreeSWITCH SIGKILLed while the whisper plays (nothing comes on its sockets: no BYE, no
 * CHANNEL_EXECUTE_COMPLETE), the drachtio connection dropping while the gateway's BYE to the
 * dealer waits for its answer (drachtio-srf drops what was pending on the closed socket), and
 * dropping while an anchored call's whisper plays.
 */
import t, { type Test } from 'tap';
import {
  CUSTOMERS,
  callThrough as call,
  dealerSipp as dealer,
  numbersYaml,
  received,
} from '../helpers/call-bed.js';
import { startFsStandinProcess } from '../helpers/fsstandin-process.js';
import { type Gateway, startGateway } from '../helpers/gateway.js';
import { FS_SECRET, startMediaGateway, WHISPER } from '../helpers/media-bed.js';
import { waitFor } from '../helpers/wait.js';

/** Plays 10 s in the stand-in: long enough to be cut short by every fault below. */
const LONG_WHISPER = 'silence_stream://10000';
const LOST = /^Reason: SIP;cause=503;text="signalling connection lost"/m;

const activeCalls = async (gw: Gateway) =>
  Number(/^calltrack_active_calls (\d+)$/m.exec(await gw.metrics())?.[1]);

async function noCallLeft(t: Test, gw: Gateway): Promise<void> {
  await waitFor(async () => (await activeCalls(gw)) === 0, 10_000, 'no active call').catch(
    () => undefined,
  );
  t.equal(await activeCalls(gw), 0, 'no call counted as active');
}

async function dropWhen(gw: Gateway, up: () => boolean, what: string): Promise<void> {
  await waitFor(up, 15_000, what);
  gw.standin.dropApps();
}

t.test('FreeSWITCH killed while the whisper plays: both legs end, one record', async (t) => {
  const fs = await startFsStandinProcess(t, FS_SECRET);
  const d = await dealer('uas-answer-200.xml');
  const gw = await startGateway(
    t,
    {
      'customers.yaml': CUSTOMERS,
      'numbers.yaml': numbersYaml(
        [{ port: d.port }],
        ['options:', '  whisper:', `    file: "${LONG_WHISPER}"`],
      ),
    },
    { FREESWITCH: fs.setting },
  );
  const calling = call(gw, 'uac-expect-183-then-503.xml');
  await waitFor(
    () =>
      fs.trace().some((r) => r.kind === 'esl' && r.dir === 'in' && r.text.includes(LONG_WHISPER)),
    15_000,
    'the whisper playing',
  );
  await fs.kill();
  const c = await calling;
  t.match(c, { exitCode: 0 }, `the caller got 503: ${c.errors}`);
  t.match(await d.done, { exitCode: 0 }, 'the dealer got a BYE');
  const records = await gw.records(1);
  t.equal(records.length, 1, 'one record');
  t.match(records[0], {
    outcome: 'failed',
    sipStatus: 503,
    endedBy: 'media-lost',
    media: { anchored: true, whisper: 'failed' },
  });
  await noCallLeft(t, gw);
});

t.test('the drachtio connection drops while our BYE to the dealer waits: one record', async (t) => {
  const d = await dealer('uas-answer-200-bye-unanswered.xml');
  const gw = await startGateway(t, {
    'customers.yaml': CUSTOMERS,
    'numbers.yaml': numbersYaml([{ port: d.port }]),
  });
  const calling = call(gw, 'uac-expect-200-caller-bye.xml');
  // the stand-in gives the BYE up only after 64×T1 (3.2 s here): the drop comes first
  await dropWhen(
    gw,
    () =>
      gw.standin.trace.some(
        (r) => r.kind === 'sip' && r.dir === 'out' && r.firstLine.startsWith('BYE '),
      ),
    "the gateway's BYE to the dealer",
  );
  const c = await calling;
  t.match(c, { exitCode: 0 }, `the caller hung up: ${c.errors}`);
  t.match(await d.done, { exitCode: 0 }, 'the dealer got the BYE');
  const records = await gw.records(1);
  t.equal(records.length, 1, 'one record');
  t.match(records[0], { outcome: 'answered', endedBy: 'caller' });
  await noCallLeft(t, gw);
});

t.test('the drachtio connection drops while the whisper plays: one record', async (t) => {
  const d = await dealer('uas-answer-200.xml');
  const gw = await startMediaGateway(t, [{ port: d.port }], { files: { [WHISPER]: 10_000 } });
  const calling = call(gw, 'uac-expect-183-then-503.xml');
  await dropWhen(
    gw,
    () => gw.fs.trace.some((r) => r.kind === 'esl' && r.dir === 'in' && r.text.includes(WHISPER)),
    'the whisper playing',
  );
  const [r] = await gw.records(1);
  t.match(r, { outcome: 'failed', sipStatus: 503, endedBy: 'signalling-lost' });
  const c = await calling;
  t.match(c, { exitCode: 0 }, `the caller got 503 after the reconnect: ${c.errors}`);
  t.match(received(c, 'SIP/2.0 503')?.text, LOST);
  t.match(await d.done, { exitCode: 0 }, 'the dealer got a BYE after the reconnect');
  t.equal((await gw.records(1)).length, 1, 'one record');
  await noCallLeft(t, gw);
});
