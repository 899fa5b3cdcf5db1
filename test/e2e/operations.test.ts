/**
 * What operators rely on, end to end: the counts on /metrics, readiness that follows drachtio,
 * and a SIGTERM that lets the calls in progress finish.
 */
import t from 'tap';
import { CUSTOMERS, callThrough, numbersYaml, TRACKING } from '../helpers/call-bed.js';
import { startDrachtio } from '../helpers/drachtio-peer.js';
import { startGateway } from '../helpers/gateway.js';
import { passed, startSipp } from '../helpers/sipp.js';
import { toApp } from '../helpers/standin-bed.js';
import { waitFor } from '../helpers/wait.js';

const readyz = async (port: number) => {
  const r = await fetch(`http://127.0.0.1:${port}/readyz`);
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
};

/** /readyz once its status is `status`, or as it is when the time is up (for the assertion). */
const readyzOnce = (port: number, status: number, ms: number) =>
  waitFor(async () => {
    const r = await readyz(port);
    return r.status === status ? r : undefined;
  }, ms).catch(() => readyz(port));

const oneCallUp = (gw: { metrics(): Promise<string> }) =>
  waitFor(async () => /^calltrack_active_calls 1$/m.test(await gw.metrics()), 3000).catch(
    () => undefined,
  );

t.test('/metrics counts the calls by source and outcome', async (t) => {
  const answers = await startSipp({ scenario: 'uas-answer-200.xml' });
  const busy = await startSipp({ scenario: 'uas-busy-486.xml' });
  const gw = await startGateway(t, {
    'customers.yaml': CUSTOMERS,
    'a.yaml': numbersYaml([{ port: answers.port }]),
    'b.yaml': numbersYaml([{ port: busy.port }], [], '+493025550109').replace(
      'source: mobile.de',
      'source: AutoScout24',
    ),
  });
  t.match(await callThrough(gw, 'uac-expect-200-caller-bye.xml', TRACKING), { exitCode: 0 });
  t.match(await callThrough(gw, 'uac-expect-486.xml', '+493025550109'), { exitCode: 0 });
  t.match(await callThrough(gw, 'uac-expect-404.xml', '+493099999999'), { exitCode: 0 });
  await gw.records(3);
  const m = await gw.metrics();
  t.match(m, /^calltrack_calls_total\{source="mobile\.de",outcome="answered"\} 1$/m);
  t.match(m, /^calltrack_calls_total\{source="AutoScout24",outcome="busy"\} 1$/m);
  t.match(m, /^calltrack_calls_total\{source="none",outcome="rejected"\} 1$/m);
  t.match(m, /^calltrack_rejects_total\{reason="unknown"\} 1$/m);
  t.match(m, /^calltrack_call_setup_seconds_count 3$/m);
  t.match(
    m,
    /^calltrack_call_duration_seconds_count 1$/m,
    'talk time of the answered call only (the dashboard average)',
  );
  t.match(
    m,
    /^calltrack_dial_delay_seconds_count 2$/m,
    'the two forwarded calls were timed to their first dealer INVITE',
  );
  t.match(m, /^calltrack_active_calls 0$/m);
  t.match(m, /^calltrack_drachtio_connected\{server="127\.0\.0\.1:\d+"\} 1$/m);
  t.match(m, /^calltrack_dialplan_reloads_total\{result="loaded"\} 1$/m);
  t.match(m, /^calltrack_dialplan_numbers\{status="active"\} 2$/m);
  t.match(m, /^calltrack_process_cpu_user_seconds_total /m, 'Node process metrics');
  t.notMatch(m, /17699887766/, 'no caller number in any label');
});

t.test('readiness follows the drachtio connection, which comes back by itself', async (t) => {
  const gw = await startGateway(t, { 'customers.yaml': CUSTOMERS });
  t.match(await readyz(gw.httpPort), { status: 200, body: { drachtio: true, dialplans: true } });
  const adminPort = gw.standin.adminAddress.port;
  await gw.standin.close();
  let r = await readyzOnce(gw.httpPort, 503, 2000);
  t.match(r, { status: 503, body: { status: 'not ready', drachtio: false } });
  t.match(await gw.metrics(), /^calltrack_drachtio_connected\{server="127\.0\.0\.1:\d+"\} 0$/m);
  const again = await startDrachtio('cymru', { adminPort });
  t.teardown(() => again.close());
  r = await readyzOnce(gw.httpPort, 200, 15_000);
  t.match(r, { status: 200, body: { drachtio: true } }, 'reconnected with backoff');
  t.equal((await fetch(`http://127.0.0.1:${gw.httpPort}/healthz`)).status, 200);
});

t.test('SIGTERM with a call up: the call completes, a new call gets 503, exit 0', async (t) => {
  const d = await startSipp({ scenario: 'uas-answer-200.xml' });
  const gw = await startGateway(
    t,
    { 'customers.yaml': CUSTOMERS, 'numbers.yaml': numbersYaml([{ port: d.port }]) },
    { DRAIN_TIMEOUT_MS: '15000', RETRY_AFTER_SECONDS: '7' },
  );
  const up = callThrough(gw, 'uac-expect-200-hold-3s-caller-bye.xml', TRACKING);
  await oneCallUp(gw);
  gw.proc.kill('SIGTERM');
  const r = await readyzOnce(gw.httpPort, 503, 1000);
  t.match(r, { status: 503, body: { draining: true, activeCalls: 1 } }, 'not ready while draining');
  const late = await callThrough(gw, 'uac-expect-503-retry-after.xml', TRACKING);
  t.match(late, { exitCode: 0 }, 'a new call gets 503 with Retry-After');
  t.match(
    late.messages.find((m) => m.firstLine.startsWith('SIP/2.0 503'))?.text,
    /^Retry-After: 7/m,
  );
  t.match(await up, { exitCode: 0 }, 'the call in progress completed');
  await passed(t, d, 'dealer');
  t.equal(await gw.exited, 0, 'exit 0 once drained');
  const records = await gw.records(2);
  t.match(
    records.find((x) => x.outcome === 'answered'),
    { endedBy: 'caller' },
    'the record of the drained call was written before exit',
  );
  t.match(
    records.find((x) => x.outcome === 'rejected'),
    { rejectReason: 'draining', sipStatus: 503 },
  );
});

t.test(
  'DRAIN_ROUTES=withdraw on a lone gateway: drachtio-server itself answers new calls 503, without Retry-After',
  async (t) => {
    const d = await startSipp({ scenario: 'uas-answer-200.xml' });
    const gw = await startGateway(
      t,
      { 'customers.yaml': CUSTOMERS, 'numbers.yaml': numbersYaml([{ port: d.port }]) },
      { DRAIN_TIMEOUT_MS: '15000', RETRY_AFTER_SECONDS: '7', DRAIN_ROUTES: 'withdraw' },
    );
    const up = callThrough(gw, 'uac-expect-200-hold-3s-caller-bye.xml', TRACKING);
    await oneCallUp(gw);
    gw.proc.kill('SIGTERM');
    await waitFor(async () => /routes withdrawn/.test(gw.logs()), 2000);
    const late = await callThrough(gw, 'uac-expect-503-no-retry-after.xml', TRACKING);
    t.match(late, { exitCode: 0 }, `503 without Retry-After: ${late.errors}`);
    t.equal(
      toApp(gw.standin.trace, 'sip').filter((f) => f.sip.startsWith('INVITE ')).length,
      1,
      'only the first call reached the gateway',
    );
    t.match(await up, { exitCode: 0 }, 'the call in progress completed');
    await passed(t, d, 'dealer');
    t.equal(await gw.exited, 0, 'exit 0 once drained');
    const [held, ...more] = await gw.records(1);
    t.equal(more.length, 0, 'the refused call never reached the gateway: no record of it');
    t.match(held, { outcome: 'answered', endedBy: 'caller' });
  },
);

t.test(
  'a call that outlasts the drain timeout is ended by the gateway on both sides',
  async (t) => {
    const d = await startSipp({ scenario: 'uas-answer-200.xml' });
    const gw = await startGateway(
      t,
      { 'customers.yaml': CUSTOMERS, 'numbers.yaml': numbersYaml([{ port: d.port }]) },
      { DRAIN_TIMEOUT_MS: '300' },
    );
    const up = callThrough(gw, 'uac-expect-200-await-bye.xml', TRACKING);
    await oneCallUp(gw);
    gw.proc.kill('SIGTERM');
    t.match(await up, { exitCode: 0 }, 'the caller got a BYE');
    t.match(await d.done, { exitCode: 0 }, 'the dealer got a BYE');
    t.equal(await gw.exited, 0);
    t.match((await gw.records(1))[0], { outcome: 'answered', endedBy: 'gateway' });
  },
);
