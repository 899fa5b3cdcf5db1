/**
 * GET /v1/customers/:id/report: a customer's calls per source over a period of local days, from
 * the analytics counts (the same report as `calltrack report`). A customer token reads its own
 * only; another customer's is 404. Counts carry no caller data, so a read is not audited.
 */
import type { FastifyInstance } from 'fastify';
import { readReport } from '../../records/report.js';
import type { RedisClient } from '../../redis/connect.js';
import type { AdminContext } from '../context.js';
import { customerIdParam, parseReportQuery } from '../download-query.js';
import { Problem } from '../problem.js';
import { quoted } from '../query.js';

export function registerReportRoute(
  app: FastifyInstance,
  ctx: AdminContext,
  redis: RedisClient | undefined,
): void {
  app.get<{ Params: { id: string } }>('/v1/customers/:id/report', async (req) => {
    const id = customerIdParam(req.params.id);
    const own = ctx.ownCustomer(req);
    if (own !== undefined && own !== id) throw new Problem(404, `no customer ${quoted(id)}`);
    const { from, to } = parseReportQuery(req.query);
    if (!redis) throw new Problem(503, 'no reports here: this gateway writes no records to Redis');
    try {
      return await readReport(redis, id, from, to);
    } catch (err) {
      ctx.log.error({ err }, 'admin API: the analytics counts could not be read');
      throw new Problem(503, 'the analytics store (Redis) is not answering; try again later');
    }
  });
}
