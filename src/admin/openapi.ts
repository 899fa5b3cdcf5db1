/**
 * The admin API's OpenAPI 3.1 document (GET /v1/openapi.json), built once from the same JSON
 * schemas the loader uses (openapi-dialplan.ts), the API's own (openapi-schemas.ts) and the table
 * of operations below. Tests check that the operations here are exactly the routes fastify serves
 * and that every answer matches, so the document cannot drift from the code unnoticed.
 */
import { deepFreeze } from '../util/freeze.js';
import { dialplanSchemas } from './openapi-dialplan.js';
import { apiSchemas } from './openapi-schemas.js';

type Json = Record<string, unknown>;
type Role = 'admin' | 'editor' | 'viewer' | 'customer' | 'billing';

type Operation = {
  method: 'get' | 'post' | 'patch';
  /** fastify's form (`/v1/customers/:id`); the document writes `{id}`. */
  path: string;
  summary: string;
  roles: readonly Role[];
  params?: readonly string[];
  /** A request body: a component schema name. */
  body?: string;
  /** Writes: If-Match, `?dryRun`, 412/413/415/422/428. */
  write?: boolean;
  ok: Record<string, Json>;
  /** Problem statuses besides 401 and 429, which every operation may answer. */
  problems: readonly number[];
};

const schema = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (name: string, etag = true) => ({
  description: 'OK',
  ...(etag && { headers: { ETag: { $ref: '#/components/headers/ETag' } } }),
  content: { 'application/json': { schema: schema(name) } },
});
const written = (status: string) => ({
  description: status === '201' ? 'created' : 'changed, or valid (dry run)',
  headers: { ETag: { $ref: '#/components/headers/ETag' } },
  content: {
    'application/json': { schema: { anyOf: [schema('WriteResult'), schema('DryRunResult')] } },
  },
});

const ALL: readonly Role[] = ['admin', 'editor', 'viewer', 'customer'];
const STAFF: readonly Role[] = ['admin', 'editor', 'viewer'];
const EDIT: readonly Role[] = ['admin', 'editor'];

// biome-ignore format: a table reads best one operation per line
export const OPERATIONS: readonly Operation[] = [
  { method: 'get', path: '/v1/dialplan', summary: "The dialplan's version and totals", roles: STAFF, ok: { 200: json('Dialplan') }, problems: [403] },
  { method: 'get', path: '/v1/dialplan/history', summary: 'The versions loaded, newest first', roles: STAFF, ok: { 200: json('DialplanHistory') }, problems: [403] },
  { method: 'get', path: '/v1/customers', summary: 'Every customer (a customer token: its own)', roles: ALL, ok: { 200: json('CustomerList') }, problems: [] },
  { method: 'post', path: '/v1/customers', summary: 'Create a customer', roles: ['admin'], body: 'customer', write: true, ok: { 200: written('200'), 201: written('201') }, problems: [400, 403, 404, 409] },
  { method: 'get', path: '/v1/customers/:id', summary: 'One customer', roles: ALL, params: ['customerId'], ok: { 200: json('customer') }, problems: [404] },
  { method: 'patch', path: '/v1/customers/:id', summary: 'Change a customer (merge patch)', roles: ['admin'], params: ['customerId'], body: 'MergePatch', write: true, ok: { 200: written('200') }, problems: [400, 403, 404, 409] },
  { method: 'post', path: '/v1/customers/:id/end-contract', summary: "End a customer's contract: deactivate every number", roles: ['admin'], params: ['customerId'], write: true, ok: { 200: written('200') }, problems: [400, 403, 404, 409] },
  { method: 'get', path: '/v1/customers/:id/calls', summary: "A customer's anonymised call history (CSV or JSON)", roles: ALL, params: ['customerId', 'historyFrom', 'historyTo', 'historyFormat'], ok: { 200: history() }, problems: [400, 404, 503] },
  { method: 'get', path: '/v1/customers/:id/report', summary: "A customer's calls per source over a period", roles: ALL, params: ['customerId', 'historyFrom', 'historyTo'], ok: { 200: json('Report', false) }, problems: [400, 404, 503] },
  { method: 'get', path: '/v1/numbers', summary: 'Numbers, filtered and paged', roles: ALL, params: ['customer', 'source', 'status', 'limit', 'cursor'], ok: { 200: json('NumberPage') }, problems: [400] },
  { method: 'post', path: '/v1/numbers', summary: 'Create a number', roles: EDIT, body: 'number', write: true, ok: { 200: written('200'), 201: written('201') }, problems: [400, 403, 404, 409] },
  { method: 'get', path: '/v1/numbers/reclaimable', summary: 'Deactivated numbers past their quarantine', roles: STAFF, ok: { 200: json('Reclaimable') }, problems: [403] },
  { method: 'post', path: '/v1/numbers/reclaim', summary: 'Reclaim numbers past their quarantine', roles: EDIT, body: 'ReclaimRequest', write: true, ok: { 200: written('200') }, problems: [400, 403, 404, 409] },
  { method: 'get', path: '/v1/numbers/:number', summary: 'One number, in any shape the loader takes', roles: ALL, params: ['number'], ok: { 200: json('NumberDocument') }, problems: [400, 404] },
  { method: 'patch', path: '/v1/numbers/:number', summary: "Change a number's destinations, options or source (merge patch)", roles: EDIT, params: ['number'], body: 'MergePatch', write: true, ok: { 200: written('200') }, problems: [400, 403, 404, 409] },
  { method: 'post', path: '/v1/numbers/:number/deactivate', summary: 'Deactivate a number (410 to callers)', roles: EDIT, params: ['number'], write: true, ok: { 200: written('200') }, problems: [400, 403, 404, 409] },
  { method: 'post', path: '/v1/numbers/:number/replace', summary: 'Replace a number (address change)', roles: EDIT, params: ['number'], body: 'ReplaceRequest', write: true, ok: { 200: written('200') }, problems: [400, 403, 404, 409] },
  { method: 'get', path: '/v1/recordings/:id', summary: 'A call recording (WAV)', roles: ALL, params: ['recordingId'], ok: { 200: recording() }, problems: [400, 404, 503] },
  { method: 'get', path: '/v1/audit', summary: 'The audit trail, oldest first (admin only)', roles: ['admin'], params: ['auditLimit', 'auditAfter', 'auditFrom', 'auditTo'], ok: { 200: json('AuditPage', false) }, problems: [400, 403, 404, 503] },
  { method: 'get', path: '/v1/traffic', summary: "A customer's traffic records, the caller in full (billing)", roles: ['admin', 'billing'], params: ['trafficCustomer', 'historyFrom', 'historyTo', 'historyFormat', 'trafficReason'], ok: { 200: traffic() }, problems: [400, 403, 404, 503] },
  { method: 'get', path: '/v1/customers/:id/traffic', summary: "A customer's own call history, the caller as TRAFFIC_CALLER_DISPLAY says", roles: ['admin', 'billing', 'customer'], params: ['customerId', 'historyFrom', 'historyTo', 'historyFormat'], ok: { 200: traffic() }, problems: [400, 403, 404, 503] },
  { method: 'post', path: '/v1/traffic/lawful-requests', summary: "A tracking number's traffic records over a time window, all customers (admin; a reason is required)", roles: ['admin'], body: 'LawfulRequest', ok: { 200: json('LawfulAnswer', false) }, problems: [400, 403, 404, 415, 422, 503] },
  { method: 'get', path: '/v1/openapi.json', summary: 'This document', roles: [...ALL, 'billing'], ok: { 200: { description: 'OpenAPI 3.1', content: { 'application/json': { schema: { type: 'object', required: ['openapi', 'paths'] } } } } }, problems: [] },
];

function history(): Json {
  return {
    description: 'the calls that started within the period (local days), oldest first',
    headers: { 'Content-Disposition': { schema: { type: 'string' } } },
    content: {
      'application/json': { schema: { type: 'array', items: schema('CallHistoryRow') } },
      'text/csv': { schema: { type: 'string', description: 'RFC 4180, a header row' } },
    },
  };
}

function traffic(): Json {
  return {
    description:
      'the traffic records of calls that started within the period (local days), oldest first',
    headers: { 'Content-Disposition': { schema: { type: 'string' } } },
    content: {
      'application/json': { schema: { type: 'array', items: schema('TrafficRow') } },
      'text/csv': { schema: { type: 'string', description: 'RFC 4180, a header row' } },
    },
  };
}

function recording(): Json {
  return {
    description: 'the recording as FreeSWITCH wrote it',
    headers: {
      'Content-Length': { required: true, schema: { type: 'integer' } },
      'Content-Disposition': { schema: { type: 'string' } },
    },
    content: { 'audio/wav': {} },
  };
}

const PROBLEMS: Record<number, string> = {
  400: 'malformed request: path, query or JSON',
  401: 'no bearer token, or not a valid one',
  403: 'this role may not do this',
  404: 'not found, or not this customer token’s',
  409: 'the entry is not in a state for this (already deactivated, already there, not reclaimable)',
  412: 'If-Match names a version that is no longer current',
  413: 'body over 64 kB',
  415: 'Content-Type is not application/json',
  422: 'the change breaks the schema or a domain rule: every error in `errors`',
  428: 'a write needs If-Match',
  429: 'too many failed authentications from this address',
  503: 'a store this needs (Redis) is not available',
};

function problemResponse(status: number): Json {
  const headers: Json = {};
  if (status === 401) headers['WWW-Authenticate'] = { schema: { type: 'string' } };
  if (status === 429) headers['Retry-After'] = { schema: { type: 'integer' } };
  return {
    description: PROBLEMS[status],
    ...(Object.keys(headers).length > 0 && { headers }),
    content: { 'application/problem+json': { schema: schema('Problem') } },
  };
}

const query = (name: string, s: Json, description: string, required = false) => ({
  name,
  in: 'query',
  required,
  description,
  schema: s,
});
const pathParam = (name: string, s: Json) => ({ name, in: 'path', required: true, schema: s });

const PARAMETERS: Record<string, Json> = {
  customerId: pathParam('id', schema('customerId')),
  number: pathParam('number', {
    type: 'string',
    maxLength: 32,
    description: 'E.164, 00…, national',
  }),
  recordingId: pathParam('id', {
    type: 'string',
    format: 'uuid',
    description: "the call's record id",
  }),
  customer: query('customer', schema('customerId'), 'only this customer’s numbers'),
  source: query('source', { type: 'string', minLength: 1, maxLength: 64 }, 'only this source'),
  status: query('status', { enum: ['active', 'deactivated'] }, 'only this status'),
  limit: query('limit', { type: 'integer', minimum: 1, maximum: 1000, default: 100 }, 'page size'),
  cursor: query('cursor', { type: 'string' }, '`next` of the previous page'),
  historyFrom: query('from', schema('date'), 'first local day (Europe/Berlin)', true),
  historyTo: query('to', schema('date'), 'last local day, at most 400 days after from', true),
  historyFormat: query('format', { enum: ['json', 'csv'], default: 'json' }, 'answer format'),
  trafficCustomer: query('customer', schema('customerId'), 'the customer', true),
  trafficReason: query(
    'reason',
    { type: 'string', minLength: 1, maxLength: 500 },
    'why (audited); default `billing`',
  ),
  auditLimit: query(
    'limit',
    { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
    'page size',
  ),
  auditAfter: query(
    'after',
    { type: 'string', pattern: '^[0-9]+-[0-9]+$' },
    '`next` of the previous page',
  ),
  auditFrom: query('from', { type: 'string' }, 'YYYY-MM-DD or an RFC 3339 time, included'),
  auditTo: query(
    'to',
    { type: 'string' },
    'YYYY-MM-DD (the whole day) or an RFC 3339 time, included',
  ),
  ifMatch: {
    name: 'If-Match',
    in: 'header',
    required: true,
    description: 'the ETag of the version the change is based on (428 without, 412 when stale)',
    schema: { type: 'string' },
  },
  dryRun: query('dryRun', { type: 'boolean' }, 'validate only: answers 200, writes nothing'),
};

const ROLE_TEXT: Record<Role, string> = {
  admin: 'admin',
  editor: 'editor',
  viewer: 'viewer',
  customer: 'customer:<id> (its own data only; anything else 404)',
  billing: 'billing (traffic data only; anything else 403)',
};

function operation(op: Operation): Json {
  const params = [...(op.params ?? []), ...(op.write ? ['ifMatch', 'dryRun'] : [])];
  // a billing token is refused every operation that is not its own
  const refused = op.roles.includes('billing') ? [] : [403];
  const problems = [
    ...new Set([
      ...op.problems,
      ...refused,
      401,
      429,
      ...(op.write ? [412, 413, 415, 422, 428] : []),
    ]),
  ].sort((a, b) => a - b);
  const responses: Json = { ...op.ok };
  for (const s of problems) responses[String(s)] = { $ref: `#/components/responses/Problem${s}` };
  return {
    operationId: `${op.method}${op.path.replace(/[/:.-]+(.)/g, (_, c: string) => c.toUpperCase())}`,
    summary: op.summary,
    description: `Roles: ${op.roles.map((r) => ROLE_TEXT[r]).join(', ')}.`,
    ...(params.length > 0 && {
      parameters: params.map((p) => ({ $ref: `#/components/parameters/${p}` })),
    }),
    ...(op.body && {
      requestBody: {
        required: true,
        content: { 'application/json': { schema: schema(op.body) } },
      },
    }),
    responses,
  };
}

/** `/v1/customers/:id` → `/v1/customers/{id}`. */
export const openapiPath = (fastifyPath: string) => fastifyPath.replace(/:([A-Za-z]+)/g, '{$1}');

export function buildOpenApi(): Json {
  const paths: Record<string, Json> = {};
  for (const op of OPERATIONS) {
    const path = openapiPath(op.path);
    paths[path] = { ...paths[path], [op.method]: operation(op) };
  }
  const statuses = [...new Set(Object.keys(PROBLEMS).map(Number))];
  return deepFreeze({
    openapi: '3.1.0',
    info: {
      title: 'calltrack admin API',
      version: '1',
      description:
        'Customers, numbers and their lifecycle, the audit trail and the downloads of a calltrack gateway. JSON, bearer tokens; every read carries the dialplan version as its ETag, every write needs it in If-Match.',
    },
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      headers: {
        ETag: {
          description: 'the dialplan version, quoted',
          required: true,
          schema: { type: 'string', pattern: '^"[^"]+"$' },
        },
      },
      parameters: PARAMETERS,
      responses: Object.fromEntries(statuses.map((s) => [`Problem${s}`, problemResponse(s)])),
      schemas: { ...dialplanSchemas(), ...apiSchemas() },
    },
  });
}
