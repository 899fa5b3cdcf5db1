/**
 * GET /v1/audit: the audit trail, oldest first, paged by entry id, for admins only. Editors and
 * viewers are told they may not (403); a customer token is told nothing exists here (404).
 */
import type { FastifyInstance } from 'fastify';
import type { AuditReader } from '../audit-redis.js';
import type { AdminContext } from '../context.js';
import { parseAuditQuery } from '../download-query.js';
import { Problem } from '../problem.js';

export function registerAuditRoutes(
  app: FastifyInstance,
  ctx: AdminContext,
  reader: AuditReader | undefined,
): void {
  app.get('/v1/audit', async (req) => {
    const { role } = ctx.who(req);
    if (role.kind === 'customer') throw new Problem(404, "no resource at '/v1/audit'");
    if (role.kind !== 'admin') throw new Problem(403, 'the audit trail is for admin tokens only');
    const query = parseAuditQuery(req.query);
    if (!reader)
      throw new Problem(
        503,
        'no audit store: without Redis (RECORD_SINK other than redis) the trail is in the log only',
      );
    try {
      return await reader.page(query);
    } catch (err) {
      ctx.log.error({ err }, 'admin API: the audit trail could not be read');
      throw new Problem(503, 'the audit store (Redis) is not answering; try again later');
    }
  });
}
