/**
 * Carrier keepalives: an out-of-dialog OPTIONS gets 200 (Allow, Accept) while the node takes
 * calls, and 503 while it drains or before a valid dialplan is loaded, so an SBC routes around
 * it. The answer comes from the gateway, not from drachtio-server's own 503 for unrouted OPTIONS.
 */
import t from 'tap';
import { CUSTOMERS, callThrough, numbersYaml, TRACKING } from '../helpers/call-bed.js';
import { startGateway } from '../helpers/gateway.js';
import { startSipp } from '../helpers/sipp.js';
import { toApp } from '../helpers/standin-bed.js';
import { waitFor } from '../helpers/wait.js';

const KEEPALIVE = 'sip:keepalive';

function answer(r: Awaited<ReturnType<typeof callThrough>>) {
  return (
    r.messages.find((m) => m.dir === 'received' && m.firstLine.startsWith('SIP/2.0'))?.text ?? ''
  );
}

t.test('ready: OPTIONS gets 200 with Allow and Accept', async (t) => {
  const gw = await startGateway(t, { 'customers.yaml': CUSTOMERS });
  const r = await callThrough(gw, 'uac-options-expect-200.xml', KEEPALIVE);
  t.match(r, { exitCode: 0 }, `200: ${r.errors}`);
  t.match(answer(r), /^Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE, INFO, REFER, NOTIFY$/m);
  t.match(answer(r), /^Accept: application\/sdp,\s*multipart\/mixed$/m);
  t.ok(
    toApp(gw.standin.trace, 'sip').some((f) => f.sip.startsWith('OPTIONS ')),
    'the gateway answered, not drachtio',
  );
  t.same(await gw.records(0), [], 'a keepalive is not a call: no record');
});

t.test('draining: OPTIONS gets 503 with Retry-After', async (t) => {
  const d = await startSipp({ scenario: 'uas-answer-200.xml' });
  const gw = await startGateway(
    t,
    { 'customers.yaml': CUSTOMERS, 'numbers.yaml': numbersYaml([{ port: d.port }]) },
    { DRAIN_TIMEOUT_MS: '10000', RETRY_AFTER_SECONDS: '9' },
  );
  const up = callThrough(gw, 'uac-expect-200-hold-3s-caller-bye.xml', TRACKING);
  await waitFor(async () => /^calltrack_active_calls 1$/m.test(await gw.metrics()), 3000);
  gw.proc.kill('SIGTERM');
  await waitFor(
    async () => (await fetch(`http://127.0.0.1:${gw.httpPort}/readyz`)).status === 503,
    2000,
  );
  const r = await callThrough(gw, 'uac-options-expect-503.xml', KEEPALIVE);
  t.match(r, { exitCode: 0 }, `503: ${r.errors}`);
  t.match(answer(r), /^Retry-After: 9$/m);
  t.match(await up, { exitCode: 0 }, 'the call in progress went on');
  t.equal(await gw.exited, 0);
});

t.test('no valid dialplan yet: OPTIONS gets 503 from the gateway', async (t) => {
  const gw = await startGateway(
    t,
    { 'customers.yaml': CUSTOMERS, 'broken.yaml': 'version: 1\nnumbers: [ {number: oops} ]\n' },
    {},
    {},
    'healthy',
  );
  await waitFor(
    async () =>
      /^calltrack_drachtio_connected\{server="127\.0\.0\.1:\d+"\} 1$/m.test(await gw.metrics()),
    15_000,
  );
  const r = await callThrough(gw, 'uac-options-expect-503.xml', KEEPALIVE);
  t.match(r, { exitCode: 0 }, `503: ${r.errors}`);
  t.notMatch(answer(r), /^Retry-After:/m, 'no promise of a time: an admin has to fix the dialplan');
  t.ok(
    toApp(gw.standin.trace, 'sip').some((f) => f.sip.startsWith('OPTIONS ')),
    'the gateway answered, not drachtio',
  );
});
