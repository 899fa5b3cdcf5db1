/**
 * The drachtio connection breaks mid-call: every call in progress ends at once with a record
 * (`endedBy: signalling-lost`) and the active-call gauge returns to 0; after the reconnect the
 * gateway does what drachtio-server still lets it do for those calls (BYE each dialog, answer a
 * caller still waiting, CANCEL a dealer still ringing), and new calls work.
 */
import t from 'tap';
import {
  CUSTOMERS,
  callThrough as call,
  dealerSipp as dealer,
  numbersYaml,
  received,
} from '../helpers/call-bed.js';
import type { Gateway } from '../helpers/gateway.js';
import { startGateway } from '../helpers/gateway.js';
import { passed } from '../helpers/sipp.js';
import { waitFor } from '../helpers/wait.js';

const LATER = '+493025550102';
const LOST = /^Reason: SIP;cause=503;text="signalling connection lost"/m;

const metric = async (gw: Gateway, line: RegExp) => line.test(await gw.metrics());

async function dropWhen(gw: Gateway, up: () => boolean, what: string) {
  await waitFor(up, 15_000, what);
  gw.standin.dropApps();
  await waitFor(
    () => metric(gw, /^calltrack_drachtio_connected\{server="127\.0\.0\.1:\d+"\} 0$/m),
    15_000,
    'the drop noticed',
  );
}

t.test('a connected call: record at once, BYE to both sides after the reconnect', async (t) => {
  const d = await dealer('uas-answer-200.xml');
  const later = await dealer('uas-answer-200.xml');
  const gw = await startGateway(t, {
    'customers.yaml': CUSTOMERS,
    'a.yaml': numbersYaml([{ port: d.port }]),
    'b.yaml': numbersYaml([{ port: later.port }], [], LATER),
  });
  const calling = call(gw, 'uac-expect-200-await-bye.xml');
  await dropWhen(
    gw,
    () =>
      gw.standin.trace.some(
        (r) => r.kind === 'sip' && r.dir === 'in' && r.firstLine.startsWith('ACK '),
      ),
    'the call up',
  );
  const [r] = await gw.records(1);
  t.match(r, { outcome: 'answered', endedBy: 'signalling-lost' }, 'the record, without waiting');
  t.ok(await metric(gw, /^calltrack_active_calls 0$/m), 'no call counted as active');
  const c = await calling;
  t.match(c, { exitCode: 0 }, `the caller got a BYE after the reconnect: ${c.errors}`);
  t.match(received(c, 'BYE')?.text, LOST);
  const dealerSaw = await d.done;
  t.match(dealerSaw, { exitCode: 0 }, 'the dealer too');
  t.match(received(dealerSaw, 'BYE')?.text, LOST);
  // counted once both BYEs are answered: a moment after the peers have theirs
  const counted = /^calltrack_lost_connection_cleanups_total\{action="bye",server="[^"]+"\} 2$/m;
  t.ok(await waitFor(() => metric(gw, counted), 3000, 'the cleanup counted').catch(() => false));
  t.ok(await metric(gw, /^calltrack_call_ends_total\{ended_by="signalling-lost"\} 1$/m));

  t.match(
    await call(gw, 'uac-expect-200-caller-bye.xml', LATER),
    { exitCode: 0 },
    'a new call is connected after the reconnect',
  );
  await passed(t, later, 'later');
  t.match((await gw.records(2))[1], { outcome: 'answered', endedBy: 'caller' });
});

t.test(
  'a ringing call: the caller gets 503 and the dealer a CANCEL after the reconnect',
  async (t) => {
    const d = await dealer('uas-ring-expect-cancel.xml');
    const gw = await startGateway(t, {
      'customers.yaml': CUSTOMERS,
      'numbers.yaml': numbersYaml([{ port: d.port, ringTimeout: 30 }]),
    });
    const calling = call(gw, 'standin-uac-ringing-expect-503.xml');
    await dropWhen(
      gw,
      () =>
        gw.standin.trace.some(
          (r) => r.kind === 'sip' && r.dir === 'out' && r.firstLine.startsWith('SIP/2.0 180'),
        ),
      'the caller hears ringing',
    );
    t.match((await gw.records(1))[0], {
      outcome: 'failed',
      sipStatus: 503,
      endedBy: 'signalling-lost',
    });
    const c = await calling;
    t.match(c, { exitCode: 0 }, `the caller got its final answer: ${c.errors}`);
    t.match(received(c, 'SIP/2.0 503')?.text, LOST);
    const dealerSaw = await d.done;
    t.match(dealerSaw, { exitCode: 0 }, 'the dealer got the CANCEL');
    t.match(received(dealerSaw, 'CANCEL')?.text, LOST, 'with a Reason');
    t.ok(
      await metric(
        gw,
        /^calltrack_lost_connection_cleanups_total\{action="answer",server="[^"]+"\} 1$/m,
      ),
    );
    t.ok(
      await metric(
        gw,
        /^calltrack_lost_connection_cleanups_total\{action="cancel",server="[^"]+"\} 1$/m,
      ),
    );
    t.ok(await metric(gw, /^calltrack_active_calls 0$/m));
  },
);

t.test('a drain right after the drop does not wait for the lost calls', async (t) => {
  const d = await dealer('uas-answer-200.xml');
  const gw = await startGateway(
    t,
    { 'customers.yaml': CUSTOMERS, 'numbers.yaml': numbersYaml([{ port: d.port }]) },
    { DRAIN_TIMEOUT_MS: '60000' },
  );
  void call(gw, 'uac-expect-200-await-bye.xml');
  await dropWhen(
    gw,
    () => gw.standin.trace.some((r) => r.kind === 'sip' && r.firstLine.startsWith('ACK ')),
    'the call up',
  );
  const started = Date.now();
  gw.proc.kill('SIGTERM');
  t.equal(await gw.exited, 0, 'exit 0');
  t.ok(Date.now() - started < 30_000, 'long before the 60 s drain timeout');
  t.match((await gw.records(1))[0], { endedBy: 'signalling-lost' }, 'the record was written');
});
