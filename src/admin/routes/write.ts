/**
 * Creating and updating customers and numbers. Each write is checked by role, If-Match and shape
 * here, then made by the dialplan store, which runs the loader's rules over the whole set.
 *
 * Where a new entry goes: a customer into the first file that holds customers (else
 * `customers.yaml`); a number into `?file=` when given, else the first file holding that
 * customer's numbers, else `<customer-id>.yaml`.
 */
import type { FastifyInstance } from 'fastify';
import type { YAMLMap } from 'yaml';
import { formatDate } from '../../dialplan/dates.js';
import {
  createFile,
  customerNumbers,
  type EditableFile,
  type EditableSet,
  editable,
  findCustomer,
  findNumber,
  hasFile,
  markChanged,
} from '../../dialplan/lifecycle/documents.js';
import { appendEntry, CUSTOMER_KEYS, mergePatch, NUMBER_KEYS, ordered } from '../entry-edit.js';
import { Problem, pointer } from '../problem.js';
import { quoted } from '../query.js';
import { answerChange, originOf, type WriteContext } from '../write-context.js';
import { bodyObject, ifMatch, mayWrite, numberParam, writeQuery } from '../write-request.js';

const CUSTOMER_ID = /^[a-z0-9][a-z0-9._-]{0,63}$/;
/** What PATCH may change of a number; the rest is the lifecycle's (deactivate, replace). */
const NUMBER_PATCHABLE = ['destinations', 'options', 'source'];

const inside = (base: string) => (path: readonly (string | number)[]) => base + pointer(path);

export function registerWriteRoutes(app: FastifyInstance, ctx: WriteContext): void {
  app.post('/v1/customers', async (req, reply) => {
    mayWrite(ctx, req, ['admin'], undefined, '');
    const query = writeQuery(req);
    const versions = ifMatch(req);
    const body = bodyObject(req.body);
    const id = body.id;
    if (typeof id !== 'string' || !CUSTOMER_ID.test(id))
      throw Problem.invalid('the customer needs an id', [
        {
          pointer: '/id',
          message: 'must be a customer id (lower-case letters, digits, ., _, -; at most 64)',
        },
      ]);
    const changed = await ctx.store.change(
      { ifMatch: versions, dryRun: query.dryRun, origin: originOf(ctx, req) },
      (set) => {
        if (findCustomer(set, id)) throw new Problem(409, `customer ${quoted(id)} exists already`);
        const name =
          set.sources.find((s) => /^customers\s*:/m.test(s.text))?.file ?? 'customers.yaml';
        const file = hasFile(set, name) ? editable(set, name) : createFile(set, name);
        const entry = ordered(body, CUSTOMER_KEYS);
        appendEntry(file.doc, 'customers', entry);
        markChanged(set, file);
        return {
          touched: [{ file: name, list: 'customers', key: 'id', value: id, pointer: inside('') }],
          after: entry,
        };
      },
    );
    if (!changed.dryRun) reply.header('Location', `/v1/customers/${id}`);
    return answerChange(ctx, req, reply, changed, {
      action: 'customer.create',
      target: id,
      status: 201,
    });
  });

  app.patch<{ Params: { id: string } }>('/v1/customers/:id', async (req, reply) => {
    const { id } = req.params;
    const notFound = `no customer ${quoted(id)}`;
    mayWrite(ctx, req, ['admin'], id, notFound);
    if (!CUSTOMER_ID.test(id)) throw new Problem(404, notFound);
    const query = writeQuery(req);
    const versions = ifMatch(req);
    const patch = bodyObject(req.body);
    if ('id' in patch && patch.id !== id)
      throw Problem.invalid('a customer id cannot change', [
        { pointer: '/id', message: 'cannot be changed; create a new customer instead' },
      ]);
    const changed = await ctx.store.change(
      { ifMatch: versions, dryRun: query.dryRun, origin: originOf(ctx, req) },
      (set) => patched(set, findCustomer(set, id), notFound, patch, ['customers', 'id', id]),
    );
    return answerChange(ctx, req, reply, changed, { action: 'customer.update', target: id });
  });

  app.post('/v1/numbers', async (req, reply) => {
    const body = bodyObject(req.body);
    const customer = body.customer;
    mayWrite(
      ctx,
      req,
      ['admin', 'editor'],
      typeof customer === 'string' ? customer : undefined,
      'no such customer',
    );
    const query = writeQuery(req, true);
    const versions = ifMatch(req);
    const number = ctx.parseNumber(body.number);
    const errors = [];
    if (typeof number !== 'string') errors.push({ pointer: '/number', message: number.message });
    if (typeof customer !== 'string' || !CUSTOMER_ID.test(customer))
      errors.push({ pointer: '/customer', message: 'must be the id of a customer' });
    if (errors.length > 0) throw Problem.invalid('the number entry is incomplete', errors);
    const changed = await ctx.store.change(
      { ifMatch: versions, dryRun: query.dryRun, origin: originOf(ctx, req) },
      (set, now) => {
        const e164 = number as string;
        const existing = findNumber(set, e164);
        if (existing)
          throw new Problem(
            409,
            `${e164} is already in ${existing.file.file}; a number has one entry`,
          );
        const status = body.status ?? 'active';
        const entry = ordered(
          {
            ...body,
            number: e164,
            status,
            ...(status === 'active' &&
              body.activatedAt === undefined && { activatedAt: formatDate(now) }),
          },
          NUMBER_KEYS,
        );
        const name = query.file ?? fileForNumbers(set, customer as string);
        const file = hasFile(set, name) ? editable(set, name) : createFile(set, name);
        appendEntry(file.doc, 'numbers', entry);
        markChanged(set, file);
        return {
          touched: [
            { file: name, list: 'numbers', key: 'number', value: e164, pointer: inside('') },
          ],
          after: entry,
          changedNumbers: [e164],
        };
      },
    );
    const e164 = number as string;
    if (!changed.dryRun) reply.header('Location', `/v1/numbers/${e164}`);
    return answerChange(ctx, req, reply, changed, {
      action: 'number.create',
      target: e164,
      status: 201,
    });
  });

  app.patch<{ Params: { number: string } }>('/v1/numbers/:number', async (req, reply) => {
    const number = numberParam(ctx.parseNumber, req.params.number);
    const notFound = `no number ${quoted(req.params.number)}`;
    mayWrite(ctx, req, ['admin', 'editor'], ownerOf(ctx, number), notFound);
    const query = writeQuery(req);
    const versions = ifMatch(req);
    const patch = bodyObject(
      req.body,
      NUMBER_PATCHABLE,
      'cannot be changed through PATCH (number and customer never; status through deactivate or replace)',
    );
    const changed = await ctx.store.change(
      { ifMatch: versions, dryRun: query.dryRun, origin: originOf(ctx, req) },
      (set) => ({
        ...patched(set, findNumber(set, number), notFound, patch, ['numbers', 'number', number]),
        changedNumbers: [number],
      }),
    );
    return answerChange(ctx, req, reply, changed, { action: 'number.update', target: number });
  });
}

/** A merge patch applied to one entry of a list, with what the answer and the audit say of it. */
function patched(
  set: EditableSet,
  found: { file: EditableFile; node: YAMLMap } | undefined,
  notFound: string,
  patch: Record<string, unknown>,
  [list, key, value]: ['customers', 'id', string] | ['numbers', 'number', string],
) {
  if (!found) throw new Problem(404, notFound);
  const before = found.node.toJSON();
  mergePatch(found.file.doc, found.node, patch);
  markChanged(set, found.file);
  return {
    touched: [{ file: found.file.file, list, key, value, pointer: inside('') }],
    before,
    after: found.node.toJSON(),
  };
}

/** The customer a number belongs to in the table the gateway serves, if it is there. */
export function ownerOf(ctx: WriteContext, number: string): string | undefined {
  const d = ctx.table().lookup(number);
  if (d.kind === 'forward') return d.customerId;
  return d.kind === 'reject' ? d.customerId : undefined;
}

function fileForNumbers(set: EditableSet, customer: string): string {
  return customerNumbers(set, customer)[0]?.file.file ?? `${customer}.yaml`;
}
