/**
 * Writes through the admin API of the built gateway, proved on the wire: a number deactivated
 * over HTTP answers 410 to the very next call (the answer comes once the gateway serves the new
 * version), and two writers racing with one ETag get exactly one 200 and one 412.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { ADMIN, EDITOR, startAdminGateway } from '../helpers/admin-gateway.js';
import { CUSTOMERS, callThrough, dealerSipp, numbersYaml, TRACKING } from '../helpers/call-bed.js';
import { passed } from '../helpers/sipp.js';

t.test('a number deactivated through the API answers 410 on the next call', async (t) => {
  const d = await dealerSipp('uas-answer-200.xml');
  const { gw, api } = await startAdminGateway(t, {
    'customers.yaml': CUSTOMERS,
    'numbers.yaml': `# routes of Autohaus Berlin\n${numbersYaml([{ port: d.port }])}`,
  });

  const before = await callThrough(gw, 'uac-expect-200-caller-bye.xml');
  t.match(before, { exitCode: 0 }, `routed before: ${before.errors}`);
  await passed(t, d, 'dealer');

  // two writers read the same version and both change the source: one wins, one gets 412
  const etag = String((await api('/v1/dialplan')).headers.etag);
  const patch = (source: string, token: string) =>
    api(`/v1/numbers/${TRACKING}`, { method: 'PATCH', token, ifMatch: etag, body: { source } });
  const [a, b] = await Promise.all([patch('first', ADMIN), patch('second', EDITOR)]);
  t.same([a.status, b.status].sort(), [200, 412], 'exactly one writer wins');
  const winner = a.status === 200 ? 'first' : 'second';
  const loser = a.status === 200 ? b : a;
  t.match(loser.body, { status: 412, detail: /changed since it was read/ });
  t.match((await api(`/v1/numbers/${TRACKING}`)).body, { source: winner });

  const current = String((await api('/v1/dialplan')).headers.etag);
  t.not(current, etag);
  const r = await api(`/v1/numbers/${TRACKING}/deactivate`, {
    method: 'POST',
    token: EDITOR,
    ifMatch: current,
  });
  t.equal(r.status, 200);
  const body = r.body as { versionAfter: string; files: string[] };
  t.same(body.files, ['numbers.yaml']);
  const served = (await api('/v1/dialplan')).body as { version: string };
  t.equal(r.headers.etag, `"${served.version}"`, 'the answer comes when the gateway serves it');
  const after = await callThrough(gw, 'uac-expect-410.xml');
  t.match(after, { exitCode: 0 }, `410 on the next call: ${after.errors}`);
  t.match(
    readFileSync(join(gw.dialplans, 'numbers.yaml'), 'utf8'),
    /^# routes of Autohaus Berlin\n/,
  );
  t.match(gw.logs(), /audit: number\.deactivate \S+ by desk/, 'audited in the log');
  const history = (await api('/v1/dialplan/history')).body as {
    versions: { origin: string }[];
  };
  t.same(
    history.versions.map((v) => v.origin),
    ['files', `api:${winner === 'first' ? 'ops' : 'desk'}`, 'api:desk'],
  );
});
