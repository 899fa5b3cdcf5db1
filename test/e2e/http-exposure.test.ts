/**
 * What the operator's HTTP listener shows, and to whom: loopback only unless HTTP_HOST opens it,
 * and /readyz names no internal address unless READYZ_DETAIL=on.
 */
import t from 'tap';
import { versionOf } from '../../src/dialplan/version.js';
import { CUSTOMERS } from '../helpers/call-bed.js';
import { type Gateway, startGateway } from '../helpers/gateway.js';

/**
 * Another address of this machine: Linux routes all of 127.0.0.0/8 to the loopback interface, so a
 * listener bound to 127.0.0.1 refuses it and one bound to 0.0.0.0 answers on it, on any machine.
 */
const OTHER = '127.0.0.2';

/** The listener's addresses as the 'calltrack started' log line reports them. */
function boundAddresses(gw: Gateway): { address: string; port: number }[] {
  const line = gw
    .logs()
    .split('\n')
    .find((l) => l.includes('"msg":"calltrack started"'));
  return (JSON.parse(line ?? '{}') as { http?: { address: string; port: number }[] }).http ?? [];
}

const reach = (address: string, port: number) =>
  fetch(`http://${address}:${port}/healthz`).then(
    (r) => `HTTP ${r.status}`,
    (err: Error & { cause?: { code?: string } }) => err.cause?.code ?? err.message,
  );

t.test('by default the listener is bound to loopback only', async (t) => {
  const gw = await startGateway(t, { 'customers.yaml': CUSTOMERS });
  t.same(boundAddresses(gw), [{ address: '127.0.0.1', family: 'IPv4', port: gw.httpPort }]);
  t.equal(await reach('127.0.0.1', gw.httpPort), 'HTTP 200');
  t.equal(await reach(OTHER, gw.httpPort), 'ECONNREFUSED', `refused on ${OTHER}`);
});

t.test('HTTP_HOST=0.0.0.0 opens it on every address', async (t) => {
  const gw = await startGateway(t, { 'customers.yaml': CUSTOMERS }, { HTTP_HOST: '0.0.0.0' });
  t.match(boundAddresses(gw), [{ address: '0.0.0.0', port: gw.httpPort }]);
  t.equal(await reach(OTHER, gw.httpPort), 'HTTP 200', `answered on ${OTHER}`);
});

const readyz = async (gw: Gateway) =>
  (await (await fetch(`http://127.0.0.1:${gw.httpPort}/readyz`)).json()) as Record<string, unknown>;

t.test('/readyz says what is up, by name, without an address', async (t) => {
  const gw = await startGateway(t, { 'customers.yaml': CUSTOMERS });
  const body = await readyz(gw);
  t.same(body, {
    status: 'ready',
    drachtio: true,
    dialplans: true,
    draining: false,
    activeCalls: 0,
    records: 'file',
    voicemail: 'off (SMTP_URL empty)',
    dialplanVersion: versionOf([{ file: 'customers.yaml', text: CUSTOMERS }]),
    dialplanSource: 'files',
  });
  const text = JSON.stringify(body);
  t.notMatch(text, /127\.0\.0\.1/, 'no address');
  t.notMatch(text, new RegExp(String(gw.standin.adminAddress.port)), 'no drachtio port');
  t.notMatch(text, new RegExp(gw.dir), 'no path of this host');
});

t.test('READYZ_DETAIL=on adds where each part lives', async (t) => {
  const gw = await startGateway(t, { 'customers.yaml': CUSTOMERS }, { READYZ_DETAIL: 'on' });
  t.match(await readyz(gw), {
    status: 'ready',
    drachtio: true,
    detail: {
      drachtio: `127.0.0.1:${gw.standin.adminAddress.port}`,
      recordSink: `file:${gw.dir}/records.jsonl`,
    },
  });
});
