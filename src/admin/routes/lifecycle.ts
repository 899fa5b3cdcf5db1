/**
 * The number lifecycle over HTTP, as `calltrack numbers` has it (the same edits): deactivate,
 * replace (an address change), end a customer's contract, list the reclaimable numbers and
 * reclaim them. The history of dialplan versions is read here too.
 */
import type { FastifyInstance } from 'fastify';
import {
  type EditResult,
  editDeactivate,
  editEndContract,
  editReplace,
} from '../../dialplan/lifecycle/operations.js';
import { numberEntries, reclaimable } from '../../dialplan/lifecycle/reclaim.js';
import type { DocPath } from '../../dialplan/types.js';
import type { Touched } from '../error-pointers.js';
import { type FieldError, Problem, pointer } from '../problem.js';
import { quoted } from '../query.js';
import { answerChange, originOf, type WriteContext } from '../write-context.js';
import { bodyObject, ifMatch, mayWrite, numberParam, writeQuery } from '../write-request.js';
import { ownerOf } from './write.js';

const CUSTOMER_ID = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** The entries an edit touched, each with its own way into the request's pointers. */
function touchedBy(
  result: EditResult,
  pointerOf: (i: number, inside: DocPath) => string,
): Touched[] {
  return result.entries.map((e, i) => ({
    file: e.at.file.file,
    list: 'numbers' as const,
    key: 'number' as const,
    value: String(e.at.node.get('number')),
    pointer: (inside: DocPath) => pointerOf(i, inside),
  }));
}

export function registerLifecycleRoutes(app: FastifyInstance, ctx: WriteContext): void {
  const options = (req: Parameters<typeof originOf>[1]) => ({
    ifMatch: ifMatch(req),
    dryRun: writeQuery(req).dryRun,
    origin: originOf(ctx, req),
  });

  app.post<{ Params: { number: string } }>('/v1/numbers/:number/deactivate', async (req, reply) => {
    const number = numberParam(ctx.parseNumber, req.params.number);
    mayWrite(ctx, req, ['admin', 'editor'], ownerOf(ctx, number), `no number ${quoted(number)}`);
    bodyObject(req.body, []);
    const changed = await ctx.store.change(options(req), (set, now) => {
      const result = editDeactivate(set, [number], now);
      const [entry] = result.entries;
      return {
        touched: touchedBy(result, () => ''),
        before: entry?.before,
        after: entry?.after,
        changedNumbers: result.changedNumbers,
      };
    });
    return answerChange(ctx, req, reply, changed, { action: 'number.deactivate', target: number });
  });

  app.post<{ Params: { number: string } }>('/v1/numbers/:number/replace', async (req, reply) => {
    const number = numberParam(ctx.parseNumber, req.params.number);
    mayWrite(ctx, req, ['admin', 'editor'], ownerOf(ctx, number), `no number ${quoted(number)}`);
    const body = bodyObject(req.body, ['newNumber', 'source']);
    const newNumber = ctx.parseNumber(body.newNumber);
    const errors: FieldError[] = [];
    if (typeof newNumber !== 'string')
      errors.push({ pointer: '/newNumber', message: newNumber.message });
    if (body.source !== undefined && (typeof body.source !== 'string' || body.source === ''))
      errors.push({ pointer: '/source', message: 'must be a non-empty string' });
    if (errors.length > 0) throw Problem.invalid('the replacement is not usable', errors);
    const source = body.source as string | undefined;
    const changed = await ctx.store.change(options(req), (set, now) => {
      const result = editReplace(set, number, newNumber as string, now, source ? { source } : {});
      // errors in the new entry's number or source are the request's; the rest is the entry's
      const fields: Record<string, string> = { number: '/newNumber', source: '/source' };
      return {
        touched: touchedBy(result, (i, inside) =>
          i === 1 ? (fields[String(inside[0])] ?? '') : '',
        ),
        before: result.entries[0]?.before,
        after: result.entries.map((e) => e.after),
        changedNumbers: result.changedNumbers,
      };
    });
    return answerChange(ctx, req, reply, changed, { action: 'number.replace', target: number });
  });

  app.post<{ Params: { id: string } }>('/v1/customers/:id/end-contract', async (req, reply) => {
    const { id } = req.params;
    const notFound = `no customer ${quoted(id)}`;
    mayWrite(ctx, req, ['admin'], id, notFound);
    if (!CUSTOMER_ID.test(id)) throw new Problem(404, notFound);
    bodyObject(req.body, []);
    const changed = await ctx.store.change(options(req), (set, now) => {
      const result = editEndContract(set, id, now);
      return {
        touched: touchedBy(result, () => ''),
        before: result.entries.map((e) => e.before),
        after: result.entries.map((e) => e.after),
        changedNumbers: result.changedNumbers,
      };
    });
    return answerChange(ctx, req, reply, changed, { action: 'customer.end-contract', target: id });
  });

  app.get('/v1/numbers/reclaimable', async (req, reply) => {
    if (ctx.ownCustomer(req) !== undefined)
      throw new Problem(403, 'a customer token reads its own numbers, not the reclaimable ones');
    if (Object.keys((req.query ?? {}) as object).length > 0)
      throw new Problem(400, 'this resource takes no query parameters');
    const [{ set, version }, lastCalls] = await Promise.all([ctx.store.read(), ctx.lastCalls()]);
    reply.header('ETag', `"${version}"`);
    return reclaimable(numberEntries(set.sources), lastCalls, ctx.now());
  });

  app.post('/v1/numbers/reclaim', async (req, reply) => {
    mayWrite(ctx, req, ['admin', 'editor'], undefined, '');
    const body = bodyObject(req.body, ['numbers']);
    const raw = body.numbers;
    if (!Array.isArray(raw) || raw.length === 0 || raw.length > 1000)
      throw Problem.invalid('numbers to reclaim are needed', [
        { pointer: '/numbers', message: 'must be a list of 1 to 1000 numbers' },
      ]);
    const errors: FieldError[] = [];
    const numbers = raw.map((r, i) => {
      const n = ctx.parseNumber(r);
      if (typeof n !== 'string') errors.push({ pointer: `/numbers/${i}`, message: n.message });
      return typeof n === 'string' ? n : '';
    });
    if (errors.length > 0) throw Problem.invalid('some numbers are not numbers', errors);
    const lastCalls = await ctx.lastCalls();
    const changed = await ctx.store.change(options(req), (set, now) => {
      const found = new Set(
        reclaimable(numberEntries(set.sources), lastCalls, now).reclaimable.map((r) => r.number),
      );
      const refused = numbers
        .map((n, i) => ({ n, i }))
        .filter(({ n }) => !found.has(n))
        .map(({ n, i }) => ({
          pointer: pointer(['numbers', i]),
          message: `${n} is not reclaimable (unknown, deactivated, or called within 12 months)`,
        }));
      if (refused.length > 0)
        throw new Problem(409, 'not every number is reclaimable', {}, { errors: refused });
      const result = editDeactivate(set, numbers, now);
      return {
        touched: touchedBy(result, (i) => `/numbers/${i}`),
        before: result.entries.map((e) => e.before),
        after: result.entries.map((e) => e.after),
        changedNumbers: result.changedNumbers,
      };
    });
    return answerChange(ctx, req, reply, changed, {
      action: 'number.reclaim',
      target: numbers.join(','),
    });
  });

  app.get('/v1/dialplan/history', async (req, reply) => {
    if (ctx.ownCustomer(req) !== undefined)
      throw new Problem(
        403,
        "a customer token reads its own customer and numbers, not the dialplan's history",
      );
    ctx.etag(reply, ctx.table());
    return { versions: ctx.history.versions };
  });
}
