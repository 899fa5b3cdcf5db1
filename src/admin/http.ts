/**
 * The operator's HTTP surface on HTTP_HOST:HTTP_PORT: Prometheus metrics, liveness and readiness.
 * Readiness says what is wrong (each check by name) so an operator knows what to fix; the
 * internal addresses behind the checks are shown only with READYZ_DETAIL=on, since whoever can
 * reach the port would otherwise learn where drachtio, Redis and FreeSWITCH live.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';

export type Readiness = {
  ready: boolean;
  /** Booleans, counts and states without an address in them: shown to anyone. */
  checks: Record<string, boolean | string | number>;
  /** Addresses and connection states (`host:port …`): shown only when asked for. */
  detail: Record<string, string>;
};

export type HttpDeps = {
  registry: Registry;
  readiness: () => Readiness;
  /** READYZ_DETAIL=on: /readyz adds `detail`. */
  detail: boolean;
};

export function readyzBody(r: Readiness, detail: boolean): Record<string, unknown> {
  return {
    status: r.ready ? 'ready' : 'not ready',
    ...r.checks,
    ...(detail && { detail: r.detail }),
  };
}

/** `redis://user:secret@host:6379/0` → `redis://host:6379/0`: an address, never a password. */
export function withoutCredentials(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//');
  }
}

export function createHttpServer(deps: HttpDeps): FastifyInstance {
  const app = Fastify({ logger: false });
  app.get('/metrics', async (_req, reply) => {
    reply.header('Content-Type', deps.registry.contentType);
    return deps.registry.metrics();
  });
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    const r = deps.readiness();
    reply.code(r.ready ? 200 : 503);
    return readyzBody(r, deps.detail);
  });
  return app;
}
