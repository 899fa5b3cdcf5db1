/** The read routes: the dialplan's totals, customers and numbers, each answer with its ETag. */
import type { FastifyInstance } from 'fastify';
import type { AdminContext } from '../context.js';
import { numberDocument, numberDocuments, numberPage } from '../numbers-view.js';
import { Problem } from '../problem.js';
import { parseNumbersQuery, quoted } from '../query.js';

export function registerReadRoutes(app: FastifyInstance, ctx: AdminContext): void {
  app.get('/v1/dialplan', async (req, reply) => {
    if (ctx.ownCustomer(req) !== undefined)
      throw new Problem(
        403,
        "a customer token reads its own customer and numbers, not the dialplan's totals",
      );
    const table = ctx.table();
    const { version, loadedAt, activeNumbers, deactivatedNumbers, customers } = table.info;
    ctx.etag(reply, table);
    return { version, loadedAt, counts: { customers, activeNumbers, deactivatedNumbers } };
  });

  app.get('/v1/customers', async (req, reply) => {
    const table = ctx.table();
    const own = ctx.ownCustomer(req);
    ctx.etag(reply, table);
    return { customers: [...table.customers()].filter((c) => own === undefined || c.id === own) };
  });

  app.get<{ Params: { id: string } }>('/v1/customers/:id', async (req, reply) => {
    const { id } = req.params;
    const table = ctx.table();
    const own = ctx.ownCustomer(req);
    const customer = own === undefined || own === id ? table.customer(id) : undefined;
    if (!customer) throw new Problem(404, `no customer ${quoted(id)}`);
    ctx.etag(reply, table);
    return customer;
  });

  app.get('/v1/numbers', async (req, reply) => {
    const query = parseNumbersQuery(req.query);
    const table = ctx.table();
    const own = ctx.ownCustomer(req);
    ctx.etag(reply, table);
    // another customer's numbers are filtered out, not refused: the answer is an empty list
    if (own !== undefined && query.customer !== undefined && query.customer !== own)
      return { numbers: [] };
    const filter = own === undefined ? query : { ...query, customer: own };
    return numberPage(numberDocuments(table), filter, query.limit, query.after);
  });

  app.get<{ Params: { number: string } }>('/v1/numbers/:number', async (req, reply) => {
    const raw = req.params.number;
    if (raw.length > 32) throw new Problem(400, `${quoted(raw)} is too long for a phone number`);
    const table = ctx.table();
    const decision = table.lookup(raw);
    if (decision.kind === 'reject' && decision.reason === 'malformed')
      throw new Problem(
        400,
        `${quoted(raw)} is not a phone number: ${decision.detail ?? 'malformed'}`,
      );
    const doc = numberDocument(decision);
    const own = ctx.ownCustomer(req);
    if (!doc || (own !== undefined && doc.customer !== own))
      throw new Problem(404, `no number ${quoted(raw)}`);
    ctx.etag(reply, table);
    return doc;
  });
}
