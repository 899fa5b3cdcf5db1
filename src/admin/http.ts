/**
 * The operator's HTTP surface on HTTP_PORT: Prometheus metrics, liveness and readiness. Readiness
 * says why it is false, so an operator reading the body knows what to fix.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';

export type Readiness = { ready: boolean; checks: Record<string, boolean | string | number> };

export type HttpDeps = { registry: Registry; readiness: () => Readiness };

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
    return { status: r.ready ? 'ready' : 'not ready', ...r.checks };
  });
  return app;
}
