/**
 * Writes through the admin API of the built gateway, proved on the wire: a number deactivated
 * over HTTP answers 410 to the very next call (the answer comes once the gateway serves the new
 * version), and two writers racing with one ETag get exactly one 200 and one 412.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { sha256Hex } from '../../src/admin/tokens.js';
import { adminClient } from '../helpers/admin-client.js';
import { CUSTOMERS, callThrough, dealerSipp, numbersYaml, TRACKING } from '../helpers/call-bed.js';
import { startGateway } from '../helpers/gateway.js';
import { freeTcpPort } from '../helpers/ports.js';
import { passed } from '../helpers/sipp.js';

const ADMIN = 'tok-admin-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const EDITOR = 'tok-editor-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';

t.test('a number deactivated through the API answers 410 on the next call', async (t) => {
  const adminPort = await freeTcpPort();
  const dir = mkdtempSync(join(tmpdir(), 'calltrack-admin-writes-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const tokensFile = join(dir, 'tokens.yaml');
  writeFileSync(
    tokensFile,
    `version: 1\ntokens:\n  - { name: ops, role: admin, sha256: "${sha256Hex(ADMIN)}" }\n  - { name: desk, role: editor, sha256: "${sha256Hex(EDITOR)}" }\n`,
  );
  const d = await dealerSipp('uas-answer-200.xml');
  const gw = await startGateway(
    t,
    {
      'customers.yaml': CUSTOMERS,
      'numbers.yaml': `# routes of Autohaus Berlin\n${numbersYaml([{ port: d.port }])}`,
    },
    { ADMIN_HTTP_PORT: String(adminPort), ADMIN_TOKENS_FILE: tokensFile },
  );
  // every answer held to the OpenAPI document (test/helpers/admin-client.ts)
  const client = adminClient({ port: adminPort });
  const api = (
    path: string,
    init: { method?: string; token?: string; ifMatch?: string; body?: unknown } = {},
  ) =>
    client.request(path, {
      method: init.method ?? 'GET',
      token: init.token ?? ADMIN,
      ...(init.ifMatch && { headers: { 'if-match': init.ifMatch } }),
      ...(init.body !== undefined && { body: init.body }),
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
