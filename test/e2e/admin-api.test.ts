/**
 * The read-only admin API of the built gateway (ADMIN_HTTP_PORT, ADMIN_TOKENS_FILE): every role,
 * authentication and its slow-down, ETags, paging and bad input, over real HTTP. Every answer is
 * checked against the OpenAPI document (test/helpers/admin-client.ts).
 */

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { sha256Hex } from '../../src/admin/tokens.js';
import { adminClient } from '../helpers/admin-client.js';
import { CUSTOMERS } from '../helpers/call-bed.js';
import { startGateway } from '../helpers/gateway.js';
import { freeTcpPort } from '../helpers/ports.js';

const NUMBERS = `version: 1
numbers:
  - number: "+493025550101"
    customer: autohaus-berlin
    source: mobile.de
    status: active
    destinations:
      - to: "+493089001234"
        ringTimeout: 20
  - number: "+493025550102"
    customer: autohaus-berlin
    source: autoscout24
    status: active
    destinations:
      - ringAll: ["sip:a@127.0.0.1:5070", "+493089001235"]
        ringTimeout: 15
  - number: "+493025550103"
    customer: autohaus-berlin
    source: mobile.de
    status: deactivated
    deactivatedAt: 2025-01-01
  - number: "+4331655501"
    customer: autohaus-graz
    source: willhaben.at
    status: active
    destinations:
      - to: "+4331699001234"
        ringTimeout: 20
  - number: "+4331655502"
    customer: autohaus-graz
    source: willhaben.at
    status: active
    activatedAt: 2025-03-01
    destinations: [{ to: "+4331699001235", ringTimeout: 25 }]
`;
const ALL = ['+4331655501', '+4331655502', '+493025550101', '+493025550102', '+493025550103'];

const TOKENS = {
  admin: 'tok-admin-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
  editor: 'tok-editor-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb',
  viewer: 'tok-viewer-ccccccccccccccccccccccccccccccccccc',
  'customer:autohaus-berlin': 'tok-berlin-ddddddddddddddddddddddddddddddddddd',
};
const tokensYaml = (tokens: Record<string, string>) =>
  `version: 1\ntokens:\n${Object.entries(tokens)
    .map(
      ([role, tok]) =>
        `  - { name: ${role.replace(':', '-')}, role: "${role}", sha256: "${sha256Hex(tok)}" }`,
    )
    .join('\n')}\n`;

/** The 'calltrack started' log line, where the listeners' addresses are. */
const startedLine = (logs: string): Record<string, unknown> =>
  JSON.parse(logs.split('\n').find((l) => l.includes('"msg":"calltrack started"')) ?? '{}');

t.test('the admin API of a running gateway', async (t) => {
  const adminPort = await freeTcpPort();
  const dir = mkdtempSync(join(tmpdir(), 'calltrack-admin-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const tokensFile = join(dir, 'tokens.yaml');
  writeFileSync(tokensFile, tokensYaml(TOKENS));
  const gw = await startGateway(
    t,
    { 'customers.yaml': CUSTOMERS, 'numbers.yaml': NUMBERS },
    { ADMIN_HTTP_PORT: String(adminPort), ADMIN_TOKENS_FILE: tokensFile },
  );
  const api = adminClient({ port: adminPort });
  const get = (path: string, token?: string, from?: string) => api.get(path, token, from);
  const version = (await get('/v1/dialplan', TOKENS.admin)).body.version;
  t.match(
    startedLine(gw.logs()),
    { admin: [{ address: '127.0.0.1', port: adminPort }] },
    'bound to loopback',
  );

  t.test('its output is JSON lines only: no runtime warning beside them', async (t) => {
    // Node prints a warning (a library's deprecation when the server is made: fastify's FSTDEP022
    // for a router option at the top level) on a later tick, outside the JSON log
    await new Promise((r) => setTimeout(r, 500));
    const stray = gw
      .logs()
      .split('\n')
      .filter((l) => l.trim() !== '' && !isJsonObject(l));
    t.same(stray, [], 'every line is a JSON object a log shipper can parse');
  });

  t.test(
    'admin, editor and viewer read the dialplan, every customer and every number',
    async (t) => {
      for (const role of ['admin', 'editor', 'viewer'] as const) {
        const d = await get('/v1/dialplan', TOKENS[role]);
        t.equal(d.status, 200, role);
        t.match(d.headers['content-type'], /^application\/json/);
        t.equal(d.headers.etag, `"${version}"`, 'ETag is the dialplan version');
        t.match(d.body, {
          version: /^[0-9a-f]{16}$/,
          loadedAt: String,
          counts: { customers: 2, activeNumbers: 4, deactivatedNumbers: 1 },
        });
        const c = await get('/v1/customers', TOKENS[role]);
        t.same(
          c.body.customers.map((x: { id: string }) => x.id),
          ['autohaus-berlin', 'autohaus-graz'],
        );
        t.equal(c.headers.etag, `"${version}"`);
        t.match((await get('/v1/customers/autohaus-graz', TOKENS[role])).body, {
          id: 'autohaus-graz',
          name: 'Autohaus Graz',
          seat: { country: 'AT' },
        });
        const n = await get('/v1/numbers', TOKENS[role]);
        t.same(
          n.body.numbers.map((x: { number: string }) => x.number),
          ALL,
        );
        t.equal(n.body.next, undefined, 'one page holds all');
        const one = await get('/v1/numbers/+4331655502', TOKENS[role]);
        t.equal(one.status, 200);
        t.equal(one.headers.etag, `"${version}"`);
      }
    },
  );

  t.test(
    'a number reads in every shape the loader takes, with its destinations as in the file',
    async (t) => {
      for (const shape of ['+493025550102', '%2B493025550102', '00493025550102', '03025550102']) {
        const r = await get(`/v1/numbers/${shape}`, TOKENS.viewer);
        t.equal(r.status, 200, shape);
        t.same(r.body, {
          number: '+493025550102',
          customer: 'autohaus-berlin',
          source: 'autoscout24',
          status: 'active',
          destinations: [{ ringAll: ['sip:a@127.0.0.1:5070', '+493089001235'], ringTimeout: 15 }],
          options: r.body.options,
        });
      }
      t.match((await get('/v1/numbers/+493025550103', TOKENS.viewer)).body, {
        number: '+493025550103',
        status: 'deactivated',
        deactivatedAt: '2025-01-01',
      });
      const unknown = await get('/v1/numbers/+493025559999', TOKENS.viewer);
      t.equal(unknown.status, 404);
      t.match(unknown.headers['content-type'], /^application\/problem\+json/);
      t.match(unknown.body, {
        type: 'about:blank',
        title: 'Not Found',
        status: 404,
        detail: String,
      });
      const malformed = await get('/v1/numbers/12ab', TOKENS.viewer);
      t.equal(malformed.status, 400);
      t.match(malformed.body, { status: 400, detail: /'12ab' is not a phone number/ });
    },
  );

  t.test(
    "a customer token reads its own, and another customer's data is 404, not 403",
    async (t) => {
      const own = TOKENS['customer:autohaus-berlin'];
      t.same(
        (await get('/v1/customers', own)).body.customers.map((c: { id: string }) => c.id),
        ['autohaus-berlin'],
      );
      t.equal((await get('/v1/customers/autohaus-berlin', own)).status, 200);
      const other = await get('/v1/customers/autohaus-graz', own);
      t.equal(other.status, 404);
      t.match(other.headers['content-type'], /^application\/problem\+json/);
      t.equal((await get('/v1/numbers/+493025550101', own)).status, 200);
      const theirs = await get('/v1/numbers/+4331655501', own);
      t.equal(theirs.status, 404, "another customer's number");
      t.equal(theirs.body.detail, "no number '+4331655501'", 'worded as for an unknown number');
      t.same(
        (await get('/v1/numbers', own)).body.numbers.map((x: { number: string }) => x.number),
        ALL.slice(2),
      );
      t.same((await get('/v1/numbers?customer=autohaus-graz', own)).body.numbers, []);
      t.equal(
        (await get('/v1/dialplan', own)).status,
        403,
        "the dialplan's totals are not a customer's",
      );
    },
  );

  t.test('two pages cover every number exactly once; filters apply', async (t) => {
    const first = await get('/v1/numbers?limit=3', TOKENS.admin);
    t.equal(first.body.numbers.length, 3);
    t.type(first.body.next, 'string');
    const second = await get(`/v1/numbers?limit=3&cursor=${first.body.next}`, TOKENS.admin);
    t.equal(second.body.next, undefined, 'the last page');
    t.same(
      [...first.body.numbers, ...second.body.numbers].map((x: { number: string }) => x.number),
      ALL,
    );
    const deactivated = await get('/v1/numbers?status=deactivated', TOKENS.admin);
    t.same(
      deactivated.body.numbers.map((x: { number: string }) => x.number),
      ['+493025550103'],
    );
    const bySource = await get(
      '/v1/numbers?source=mobile.de&customer=autohaus-berlin',
      TOKENS.admin,
    );
    t.same(
      bySource.body.numbers.map((x: { number: string }) => x.number),
      ['+493025550101', '+493025550103'],
    );
  });

  t.test('bad queries, unknown routes and unsupported methods are problems', async (t) => {
    const cases: [string, number, RegExp][] = [
      ['/v1/numbers?limit=0', 400, /'limit'/],
      ['/v1/numbers?limit=1001', 400, /'limit'/],
      ['/v1/numbers?limit=abc', 400, /'limit'/],
      ['/v1/numbers?customer=../x', 400, /'customer'/],
      [`/v1/numbers?source=${'x'.repeat(5000)}`, 400, /'source'/],
      ['/v1/numbers?status=gone', 400, /'status'/],
      ['/v1/numbers?cursor=bm90LWEtbnVtYmVy', 400, /'cursor'/],
      ['/v1/numbers?customer=a&customer=b', 400, /'customer' is given more than once/],
      ['/v1/numbers?sort=number', 400, /unknown query parameter 'sort'/],
      [`/v1/numbers/${'4'.repeat(200)}`, 400, /too long/],
    ];
    for (const [path, status, detail] of cases) {
      const r = await get(path, TOKENS.admin);
      t.equal(r.status, status, path.slice(0, 60));
      t.match(r.headers['content-type'], /^application\/problem\+json/);
      t.match(r.body, { type: 'about:blank', status, detail });
    }
    for (const [path, status, detail] of [
      ['/v1/routes', 404, /no resource/],
      ['/v2/numbers', 404, /no resource/],
    ] as const) {
      const r = await api.undocumented(path, { token: TOKENS.admin });
      t.equal(r.status, status, path.slice(0, 60));
      t.match(r.headers['content-type'], /^application\/problem\+json/);
      t.match(r.body, { type: 'about:blank', status, detail });
    }
    // PATCH is a documented write (issue 13's write routes), not a method this resource lacks
    for (const method of ['POST', 'PUT', 'DELETE']) {
      const r = await api.undocumented('/v1/numbers/+493025550101', {
        token: TOKENS.admin,
        method,
      });
      t.equal(r.status, 405, method);
      t.equal(r.headers.allow, 'GET, HEAD, PATCH');
      t.match(r.headers['content-type'], /^application\/problem\+json/);
    }
    const dialplan = await api.undocumented('/v1/dialplan', {
      token: TOKENS.admin,
      method: 'POST',
    });
    t.equal(dialplan.status, 405, 'the dialplan as a whole is read-only');
    t.equal(dialplan.headers.allow, 'GET, HEAD');
    // writes are there (test/e2e/admin-writes.test.ts); without If-Match they are refused
    const patch = await api.request('/v1/numbers/+493025550101', {
      token: TOKENS.admin,
      method: 'PATCH',
    });
    t.equal(patch.status, 428);
    const viewer = await api.request('/v1/numbers/+493025550101', {
      token: TOKENS.viewer,
      method: 'PATCH',
    });
    t.equal(viewer.status, 403, 'a viewer never writes');
  });

  t.test('no token or a bad one is 401 with a Bearer challenge (RFC 6750)', async (t) => {
    const none = await get('/v1/dialplan');
    t.equal(none.status, 401);
    t.equal(none.headers['www-authenticate'], 'Bearer realm="calltrack-admin"');
    t.match(none.headers['content-type'], /^application\/problem\+json/);
    const bad = await get('/v1/dialplan', 'not-a-known-token');
    t.equal(bad.status, 401);
    t.equal(
      bad.headers['www-authenticate'],
      'Bearer realm="calltrack-admin", error="invalid_token"',
    );
    t.equal(
      (await api.request('/v1/dialplan', { auth: `Basic ${TOKENS.admin}` })).status,
      401,
      'not a bearer',
    );
    t.equal(
      (await api.undocumented('/v1/nowhere')).status,
      401,
      'authentication comes before routing',
    );
    const logs = gw.logs();
    t.match(logs, /admin API: authentication failed/);
    for (const tok of Object.values(TOKENS)) {
      t.notMatch(logs, tok, 'no token in the log');
      t.notMatch(logs, sha256Hex(tok), 'no hash in the log');
    }
    t.notMatch(logs, 'not-a-known-token');
  });

  t.test(
    'repeated failures from one address get 429 with Retry-After, its token unchecked',
    async (t) => {
      const from = '127.0.0.3';
      for (let i = 0; i < 10; i++)
        t.equal((await get('/v1/dialplan', `wrong-${i}`, from)).status, 401);
      const slowed = await get('/v1/dialplan', TOKENS.admin, from);
      t.equal(slowed.status, 429, 'even a valid token waits');
      t.match(slowed.headers['retry-after'], /^[1-9][0-9]*$/);
      t.match(slowed.headers['content-type'], /^application\/problem\+json/);
      t.equal(
        (await get('/v1/dialplan', TOKENS.admin)).status,
        200,
        'another address is not slowed',
      );
    },
  );

  t.test('the tokens file is reloaded on change; an invalid one keeps the last good', async (t) => {
    writeFileSync(tokensFile, 'version: 1\ntokens: [ { name: x } ]\n');
    await new Promise((r) => setTimeout(r, 1000));
    t.equal((await get('/v1/dialplan', TOKENS.viewer)).status, 200, 'still in force');
    t.match(gw.logs(), /admin tokens file is invalid/);
    writeFileSync(tokensFile, tokensYaml({ admin: TOKENS.admin }));
    let status = 0;
    for (let i = 0; i < 40 && status !== 401; i++) {
      await new Promise((r) => setTimeout(r, 50));
      status = (await get('/v1/dialplan', TOKENS.viewer, '127.0.0.4')).status;
    }
    t.equal(status, 401, 'the viewer token is gone');
    t.equal((await get('/v1/dialplan', TOKENS.admin)).status, 200);
  });
});

t.test('without ADMIN_HTTP_PORT there is no admin listener', async (t) => {
  const gw = await startGateway(t, { 'customers.yaml': CUSTOMERS });
  t.match(startedLine(gw.logs()), { http: Array });
  t.notOk('admin' in startedLine(gw.logs()), 'no admin addresses in the start line');
});

t.test(
  'an admin port without a tokens file, or with an invalid one, refuses to start (exit 2)',
  async (t) => {
    const port = String(await freeTcpPort());
    await t.rejects(
      startGateway(t, { 'customers.yaml': CUSTOMERS }, { ADMIN_HTTP_PORT: port }),
      /gateway exited with 2:[\s\S]*ADMIN_HTTP_PORT: set without ADMIN_TOKENS_FILE/,
    );
    await t.rejects(
      startGateway(
        t,
        { 'customers.yaml': CUSTOMERS },
        { ADMIN_HTTP_PORT: port, ADMIN_TOKENS_FILE: '/nonexistent/tokens.yaml' },
      ),
      /gateway exited with 2:[\s\S]*ADMIN_TOKENS_FILE: cannot read/,
    );
  },
);

function isJsonObject(line: string): boolean {
  try {
    const v: unknown = JSON.parse(line);
    return typeof v === 'object' && v !== null;
  } catch {
    return false;
  }
}
