/**
 * The admin API's OpenAPI 3.1 document: valid for a maintained parser, built from the loader's own
 * schema file, describing exactly the routes fastify serves (a route added or removed without
 * the document fails here), and the test client's checks really refuse an answer that breaks it.
 */
import { readFileSync } from 'node:fs';
import SwaggerParser from '@apidevtools/swagger-parser';
import Fastify from 'fastify';
import t from 'tap';
import { createAdminServer } from '../../src/admin/api.js';
import { logOnlyAudit } from '../../src/admin/audit.js';
import { DialplanHistory } from '../../src/admin/history.js';
import { buildOpenApi, OPERATIONS, openapiPath } from '../../src/admin/openapi.js';
import { sha256Hex, TokenSet } from '../../src/admin/tokens.js';
import { loadDialplans } from '../../src/dialplan/load.js';
import { buildTable } from '../../src/dialplan/table.js';
import { createLogger } from '../../src/observability/logger.js';
import { adminClient, OpenApiChecker, rawRequest } from '../helpers/admin-client.js';
import { CUSTOMERS } from '../helpers/dialplan-texts.js';

// biome-ignore lint/suspicious/noExplicitAny: walking the document's JSON
type Json = Record<string, any>;

t.test('the document is valid OpenAPI 3.1 for @apidevtools/swagger-parser', async (t) => {
  const doc = buildOpenApi() as Json;
  t.equal(doc.openapi, '3.1.0');
  // the parser dereferences in place: it gets a copy, the frozen document stays as served
  const api = (await SwaggerParser.validate(structuredClone(doc) as never)) as Json;
  t.equal(api.info.title, 'calltrack admin API');
  t.ok(Object.isFrozen(doc), 'built once, frozen');
});

t.test('customer and number entries are the loader schema’s own definitions', async (t) => {
  const loader = JSON.parse(readFileSync('config/schema/dialplan.schema.json', 'utf8'));
  const schemas = (buildOpenApi() as Json).components.schemas;
  const rebase = (s: unknown) =>
    JSON.parse(JSON.stringify(s).replaceAll('#/definitions/', '#/components/schemas/'));
  for (const name of Object.keys(loader.definitions))
    t.same(schemas[name], rebase(loader.definitions[name]), name);
  const post = (buildOpenApi() as Json).paths['/v1/numbers'].post;
  t.same(post.requestBody.content['application/json'].schema, {
    $ref: '#/components/schemas/number',
  });
  t.notOk(
    JSON.stringify(buildOpenApi()).includes('sha256'),
    'the tokens file schema is not exposed',
  );
});

t.test('the writes carry If-Match, dryRun and their problem answers', async (t) => {
  const paths = (buildOpenApi() as Json).paths;
  const write = paths['/v1/numbers/{number}'].patch;
  const params = write.parameters.map((p: Json) => p.$ref.split('/').pop());
  t.same(params, ['number', 'ifMatch', 'dryRun']);
  t.same(Object.keys(write.responses), [
    '200',
    '400',
    '401',
    '403',
    '404',
    '409',
    '412',
    '413',
    '415',
    '422',
    '428',
    '429',
  ]);
  t.same(Object.keys(paths['/v1/customers'].post.responses).slice(0, 2), ['200', '201']);
  const problem = (buildOpenApi() as Json).components.schemas.Problem;
  t.same(problem.properties.errors.items, { $ref: '#/components/schemas/FieldError' });
});

const ADMIN = 'tok-admin-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';

function server(onRoute?: (r: { method: string | string[]; url: string; config?: Json }) => void) {
  const now = new Date('2026-11-22T10:00:00Z');
  const r = loadDialplans([CUSTOMERS], { now });
  if (!r.ok) throw new Error('fixture');
  const table = buildTable(r.set.decisions, r.set.summary, r.set.index, 'DE', now);
  return createAdminServer({
    table: () => table,
    tokens: () => new TokenSet([{ name: 'a', role: 'admin', sha256: sha256Hex(ADMIN) }]),
    logger: createLogger('silent'),
    audit: logOnlyAudit(createLogger('silent')),
    downloads: { recordingsDir: '/nonexistent' },
    // the write routes exist only with a folder to write; none is touched here
    dialplans: {
      dir: '/nonexistent',
      defaultCountry: 'DE',
      reload: async () => ({ ok: false }),
      now: () => now,
      history: new DialplanHistory(),
    },
    now: () => 0,
    ...(onRoute && { onRoute: onRoute as never }),
  });
}

t.test('the document and the routes fastify serves are the same set', async (t) => {
  const routes = new Set<string>();
  const stubs: { method: string; url: string }[] = [];
  const app = server((r) => {
    for (const method of [r.method].flat()) {
      // HEAD answers every GET by itself (fastify's exposeHeadRoutes)
      if (method === 'HEAD') continue;
      if (r.config?.openapi === false) stubs.push({ method, url: r.url });
      else routes.add(`${method.toLowerCase()} ${openapiPath(r.url)}`);
    }
  });
  await app.ready();
  t.teardown(() => app.close());
  const documented = new Set(OPERATIONS.map((o) => `${o.method} ${openapiPath(o.path)}`));
  t.same(
    [...routes].filter((r) => !documented.has(r)),
    [],
    'every route served is in the document',
  );
  t.same(
    [...documented].filter((d) => !routes.has(d)),
    [],
    'every documented operation is served',
  );
  // what is left out of the document only says 405
  for (const stub of stubs) {
    const r = await app.inject({
      method: stub.method as 'POST',
      url: stub.url.replace(':id', 'x').replace(':number', '+493025550101'),
      headers: { authorization: `Bearer ${ADMIN}` },
    });
    t.equal(r.statusCode, 405, `${stub.method} ${stub.url}`);
  }
});

t.test('the test client refuses an answer that breaks the document', async (t) => {
  const fake = Fastify();
  fake.get('/v1/dialplan', async (_q, reply) => reply.header('ETag', '"v"').send({ version: 1 }));
  fake.get('/v1/customers', async (_q, reply) => reply.code(418).send({}));
  fake.get('/v1/openapi.json', async (_q, reply) => reply.type('text/plain').send('x'));
  fake.get('/v1/nowhere', async () => ({ fine: true }));
  fake.get('/v1/customers/:id', async () => ({
    id: 'x',
    name: 'X',
    seat: { country: 'DE', areaCode: '30' },
  }));
  await fake.listen({ port: 0, host: '127.0.0.1' });
  t.teardown(() => fake.close());
  const port = (fake.server.address() as { port: number }).port;
  const client = adminClient({ port, checker: new OpenApiChecker() });
  await t.rejects(client.get('/v1/dialplan'), /body does not match the document/);
  await t.rejects(client.get('/v1/customers'), /status not documented/);
  await t.rejects(client.get('/v1/openapi.json'), /content type 'text\/plain' not documented/);
  await t.rejects(client.get('/v1/nowhere'), /not in the document, and not a problem/);
  await t.rejects(client.get('/v1/customers/x'), /required header ETag missing/);
  t.equal((await rawRequest({ port }, '/v1/dialplan')).status, 200, 'unchecked, it answers');
});
