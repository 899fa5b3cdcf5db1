/**
 * The admin API (issue 13) on its own listener (ADMIN_HTTP_HOST:ADMIN_HTTP_PORT)
 * so it can be bound, firewalled and exposed apart from metrics. Every request is authenticated
 * by a bearer token (RFC 6750) before routing; answers are JSON, errors RFC 9457 problems, and
 * every read carries the dialplan version as its ETag.
 *
 * Roles: admin, editor and viewer read everything; admin writes everything, editor numbers and
 * their lifecycle; `customer:<id>` reads its own customer and numbers only, never writes, and
 * anything else is 404 as if it did not exist (a 403 would confirm it does); `billing` reads
 * traffic data (routes/traffic.ts) and nothing else.
 */
import Fastify, {
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type RouteOptions,
} from 'fastify';
import type { Logger } from '../observability/logger.js';
import type { RouteTable } from '../routing/route-table.js';
import type { AuditSink } from './audit.js';
import type { AuditReader } from './audit-redis.js';
import { AuthFailures, DEFAULT_FAILURE_LIMITS, type FailureLimits } from './auth-failures.js';
import type { AdminContext } from './context.js';
import { DialplanStore } from './dialplan-store.js';
import type { DialplanHistory } from './history.js';
import { buildOpenApi } from './openapi.js';
import { PROBLEM_TYPE, Problem } from './problem.js';
import { quoted } from './query.js';
import { registerAuditRoutes } from './routes/audit.js';
import { type DownloadDeps, registerDownloadRoutes } from './routes/downloads.js';
import { registerLifecycleRoutes } from './routes/lifecycle.js';
import { registerReadRoutes } from './routes/read.js';
import { registerReportRoute } from './routes/report.js';
import { registerTrafficRoutes, type TrafficDeps } from './routes/traffic.js';
import { registerWriteRoutes } from './routes/write.js';
import type { Principal, TokenSet } from './tokens.js';
import type { TransportWarnings } from './write-context.js';
import { numberParser } from './write-request.js';

/** What the write routes need: the dialplan folder, the gateway's reload, the clock. */
export type DialplanDeps = {
  dir: string;
  defaultCountry: 'DE' | 'AT';
  /** Reloader.reload of the running gateway. */
  reload: () => Promise<{ ok: true; version: string } | { ok: false }>;
  now: () => Date;
  history: DialplanHistory;
  /** Sets larger than this (bytes of YAML) are checked in a worker thread, as reloads are. */
  workerAboveBytes?: number;
  /** Last call per number (analytics); without it, reclaimable counts from activation only. */
  lastCalls?: () => Promise<ReadonlyMap<string, Date>>;
  /** The written entry's URIs naming a transport a drachtio-server lacks (sip/transport-fit.ts). */
  transportWarnings?: TransportWarnings;
};

export type AdminDeps = {
  table: () => RouteTable;
  tokens: () => TokenSet;
  logger: Logger;
  audit: AuditSink;
  /** Monotonic milliseconds, for the slow-down of failed authentication. */
  now: () => number;
  failureLimits?: FailureLimits;
  /** GET /v1/audit reads the trail here; absent when it is in the log only (no Redis). */
  auditReader?: AuditReader;
  downloads: DownloadDeps;
  /** The traffic stream on the billing connection; absent when TRAFFIC_RECORDS is off. */
  traffic?: TrafficDeps;
  /** PEM certificate and key (ADMIN_TLS_CERT, ADMIN_TLS_KEY): HTTPS only. */
  https?: { cert: Buffer; key: Buffer };
  /** Sees every route as it is added (the test that holds the OpenAPI document to the routes). */
  onRoute?: (route: RouteOptions) => void;
  /** Without it the API is read-only (writes answer 405). */
  dialplans?: DialplanDeps;
};

const REALM = 'Bearer realm="calltrack-admin"';
// RFC 6750 §2.1 b64token, and a length no real token needs (ours are 43 characters)
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]{1,512}=*) *$/i;
/** What a billing token may reach: traffic data and this document; anything else is 403. */
const BILLING_ROUTES = new Set(['/v1/traffic', '/v1/customers/:id/traffic', '/v1/openapi.json']);
const WRITES = ['DELETE', 'PATCH', 'POST', 'PUT', 'OPTIONS'] as const;
/** Request bodies are single entries: 64 kB is far more than any needs. */
const BODY_LIMIT = 64 * 1024;
/** Methods each resource answers when writes are on; the others get 405 with Allow. */
const METHODS: Record<string, readonly string[]> = {
  '/v1/dialplan': ['GET', 'HEAD'],
  '/v1/customers': ['GET', 'HEAD', 'POST'],
  '/v1/customers/:id': ['GET', 'HEAD', 'PATCH'],
  '/v1/numbers': ['GET', 'HEAD', 'POST'],
  '/v1/numbers/:number': ['GET', 'HEAD', 'PATCH'],
};

function sendProblem(reply: FastifyReply, p: Problem): FastifyReply {
  return reply.code(p.status).headers(p.headers).type(PROBLEM_TYPE).send(JSON.stringify(p.body));
}

export function createAdminServer(deps: AdminDeps): FastifyInstance {
  // params up to 1000 characters reach our own checks (400) instead of find-my-way's 414; under
  // routerOptions, where fastify 5 reads it without a deprecation warning (FSTDEP022) at start
  const options = {
    logger: false,
    routerOptions: { maxParamLength: 1000 },
    bodyLimit: BODY_LIMIT,
  } as const;
  // with a certificate the listener speaks HTTPS only: no plain-HTTP port beside it
  const app = (deps.https
    ? Fastify({ ...options, https: deps.https })
    : Fastify(options)) as unknown as FastifyInstance;
  if (deps.onRoute) app.addHook('onRoute', deps.onRoute);
  // JSON only: a text/plain body is 415, not a string handed to the routes
  app.removeContentTypeParser('text/plain');
  // an empty JSON body is no body (`curl -H 'Content-Type: application/json' -X POST …/deactivate`);
  // anything else goes through fastify's parser, __proto__ and constructor keys refused
  const json = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) =>
    body === '' ? done(null, undefined) : json(req, String(body), done),
  );
  const failures = new AuthFailures(deps.failureLimits ?? DEFAULT_FAILURE_LIMITS, deps.now);
  const principals = new WeakMap<FastifyRequest, Principal>();
  const log = deps.logger.child({ component: 'admin-api' });

  app.addHook('onRequest', async (req, reply) => {
    const retryAfter = failures.retryAfter(req.ip);
    if (retryAfter > 0)
      return sendProblem(
        reply,
        new Problem(429, 'too many failed authentications from this address; try again later', {
          'Retry-After': String(retryAfter),
        }),
      );
    const header = req.headers.authorization;
    const token = header ? BEARER.exec(header)?.[1] : undefined;
    const principal = token === undefined ? undefined : deps.tokens().authenticate(token);
    if (!principal) {
      failures.failed(req.ip);
      // the address and what was wrong; never the header, the token or its hash
      log.warn(
        { address: req.ip, method: req.method, reason: header ? 'invalid token' : 'no token' },
        'admin API: authentication failed',
      );
      // RFC 6750 §3.1: no error code when the request carried no authentication at all
      const challenge = header ? `${REALM}, error="invalid_token"` : REALM;
      return sendProblem(
        reply,
        new Problem(401, header ? 'the bearer token is not valid' : 'a bearer token is required', {
          'WWW-Authenticate': challenge,
        }),
      );
    }
    const route = req.routeOptions.url;
    if (principal.role.kind === 'billing' && route !== undefined && !BILLING_ROUTES.has(route))
      return sendProblem(reply, new Problem(403, 'a billing token reads traffic data only'));
    principals.set(req, principal);
  });

  const who = (req: FastifyRequest) => principals.get(req)!;
  /** The customer a customer token is limited to; undefined for admin, editor and viewer. */
  const ownCustomer = (req: FastifyRequest) => {
    const { role } = who(req);
    return role.kind === 'customer' ? role.customerId : undefined;
  };
  const ctx: AdminContext = {
    table: deps.table,
    log,
    audit: deps.audit,
    who,
    ownCustomer,
    etag: (reply, table) => reply.header('ETag', `"${table.info.version}"`),
  };
  registerReadRoutes(app, ctx);
  registerAuditRoutes(app, ctx, deps.auditReader);
  registerDownloadRoutes(app, ctx, deps.downloads);
  registerReportRoute(app, ctx, deps.downloads.history?.redis);
  registerTrafficRoutes(app, ctx, deps.traffic);
  const openapi = buildOpenApi();
  app.get('/v1/openapi.json', async () => openapi);
  const writes = deps.dialplans;
  if (writes) {
    const wctx = {
      ...ctx,
      store: new DialplanStore({
        dir: writes.dir,
        now: writes.now,
        reload: writes.reload,
        history: writes.history,
        ...(writes.workerAboveBytes !== undefined && { workerAboveBytes: writes.workerAboveBytes }),
      }),
      history: writes.history,
      parseNumber: numberParser(writes.defaultCountry),
      now: writes.now,
      lastCalls: writes.lastCalls ?? (async () => new Map<string, Date>()),
      transportWarnings: writes.transportWarnings ?? (() => []),
    };
    registerWriteRoutes(app, wctx);
    registerLifecycleRoutes(app, wctx);
  }

  for (const [url, allowed] of Object.entries(METHODS)) {
    const allow = writes ? allowed : ['GET', 'HEAD'];
    app.route({
      method: WRITES.filter((m) => !allow.includes(m)),
      url,
      // a 405 for every method a resource does not have: not operations of the document
      config: { openapi: false },
      handler: async (req) => {
        throw new Problem(405, `${req.method} is not supported here`, { Allow: allow.join(', ') });
      },
    });
  }

  app.setNotFoundHandler(async (req, reply) =>
    sendProblem(reply, new Problem(404, `no resource at ${quoted(req.url)}`)),
  );

  app.setErrorHandler(async (err: Error & { statusCode?: number }, req, reply) => {
    if (err instanceof Problem) return sendProblem(reply, err);
    const status = err.statusCode;
    if (status === 415)
      return sendProblem(
        reply,
        new Problem(
          415,
          `a body must be application/json, not ${quoted(req.headers['content-type'] ?? '')}`,
        ),
      );
    if (status !== undefined && status >= 400 && status < 500)
      return sendProblem(reply, new Problem(status, err.message));
    log.error(
      { err, method: req.method, route: req.routeOptions.url },
      'admin API: request failed',
    );
    return sendProblem(reply, new Problem(500, 'internal error; see the gateway log'));
  });
  return app;
}
