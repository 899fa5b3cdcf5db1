/**
 * Traffic data (issue 15), read only by those allowed, every read audited:
 * - GET /v1/traffic?customer&from&to&format: a customer's traffic records (billing, admin), the
 *   caller's number in full: what billing and a dealer's dispute need.
 * - GET /v1/customers/:id/traffic?from&to&format: a customer's own call history with the caller
 *   shown as the operator configured (TRAFFIC_CALLER_DISPLAY); a customer token gets only its
 *   own (another customer's is 404, as one that does not exist), billing and admin any.
 * - POST /v1/traffic/lawful-requests {number, from, to, reason}: one tracking number's records
 *   over a time window, all customers (admin only); the reason is required.
 *
 * A read is collected, then audited (who, which range, why, how many records), then sent: no
 * entry, no answer. A request refused by its checks reads nothing and audits nothing. Editors
 * and viewers manage numbers and need no traffic data: 403.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TrafficRecord } from '../../records/traffic-entry.js';
import { readTraffic, type TrafficSelection } from '../../records/traffic-read.js';
import { type CallerDisplay, trafficRow, trafficText } from '../../records/traffic-rows.js';
import type { RedisClient } from '../../redis/connect.js';
import { auditedRead } from '../audited.js';
import type { AdminContext } from '../context.js';
import { customerIdParam, parseHistoryQuery, parseTrafficQuery } from '../download-query.js';
import { parseLawfulRequest } from '../lawful-request.js';
import { Problem } from '../problem.js';
import { quoted } from '../query.js';
import type { Role } from '../tokens.js';

export type TrafficDeps = {
  /** The billing connection (BILLING_REDIS_URL, else REDIS_URL): the gateway's own may not read. */
  redis: RedisClient;
  stream: string;
  callerDisplay: CallerDisplay;
};

const CONTENT_TYPES = { csv: 'text/csv; charset=utf-8', json: 'application/json; charset=utf-8' };
/** Why a read happens when the reader does not say: what the route is for. */
const BILLING_REASON = 'billing';
const OWN_REASON = "the customer's own calls";

function allow(role: Role, roles: readonly Role['kind'][], what: string): void {
  if (!roles.includes(role.kind))
    throw new Problem(403, `${what} is for ${roles.join(' or ')} tokens only`);
}

export function registerTrafficRoutes(
  app: FastifyInstance,
  ctx: AdminContext,
  deps: TrafficDeps | undefined,
): void {
  const store = (): TrafficDeps => {
    if (!deps) throw new Problem(404, 'no traffic records on this gateway: TRAFFIC_RECORDS is off');
    return deps;
  };
  const read = async (d: TrafficDeps, selection: TrafficSelection) => {
    try {
      return await readTraffic(d.redis, d.stream, selection);
    } catch (err) {
      ctx.log.error({ err }, 'admin API: the traffic stream could not be read');
      throw new Problem(503, 'the traffic store (Redis) is not answering; try again later');
    }
  };
  const send = async (
    reply: FastifyReply,
    records: readonly TrafficRecord[],
    q: { format: 'csv' | 'json'; from: string; to: string },
    name: string,
    display: CallerDisplay,
  ) =>
    reply
      .type(CONTENT_TYPES[q.format])
      .header(
        'Content-Disposition',
        `attachment; filename="traffic-${name}-${q.from}-${q.to}.${q.format}"`,
      )
      .send(await trafficText(records, q.format, display));

  app.get('/v1/traffic', async (req, reply) => {
    allow(ctx.who(req).role, ['admin', 'billing'], 'traffic data');
    const d = store();
    const q = parseTrafficQuery(req.query);
    const records = await read(d, { kind: 'customer', ...q });
    await audit(req, 'traffic.export', q.customer, {
      from: q.from,
      to: q.to,
      format: q.format,
      reason: q.reason ?? BILLING_REASON,
      records: records.length,
    });
    return send(reply, records, q, q.customer, 'full');
  });

  app.get<{ Params: { id: string } }>('/v1/customers/:id/traffic', async (req, reply) => {
    const id = customerIdParam(req.params.id);
    const { role } = ctx.who(req);
    if (role.kind === 'customer') {
      if (role.customerId !== id) throw new Problem(404, `no customer ${quoted(id)}`);
    } else allow(role, ['admin', 'billing'], "a customer's traffic");
    const d = store();
    const q = parseHistoryQuery(req.query);
    const records = await read(d, { kind: 'customer', customer: id, from: q.from, to: q.to });
    await audit(req, 'traffic.history', id, {
      from: q.from,
      to: q.to,
      format: q.format,
      reason: OWN_REASON,
      records: records.length,
    });
    return send(reply, records, q, id, d.callerDisplay);
  });

  app.post('/v1/traffic/lawful-requests', async (req) => {
    allow(ctx.who(req).role, ['admin'], 'a lawful request');
    const d = store();
    const r = parseLawfulRequest(req.body);
    const records = await read(d, { kind: 'number', ...r });
    const from = new Date(r.fromMs).toISOString();
    const to = new Date(r.toMs).toISOString();
    await audit(req, 'traffic.lawful-request', r.number, {
      from,
      to,
      reason: r.reason,
      records: records.length,
    });
    return { number: r.number, from, to, records: records.map((x) => trafficRow(x, 'full')) };
  });

  const audit = (
    req: FastifyRequest,
    action: string,
    target: string,
    detail: Record<string, unknown>,
  ) => auditedRead(ctx, req, { action, target, detail });
}
