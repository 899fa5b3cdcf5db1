/**
 * What the write routes share beyond the AdminContext: the dialplan store, how numbers are read,
 * and the one way every accepted change is answered and audited.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AdminContext } from './context.js';
import type { Changed, DialplanStore, Edit } from './dialplan-store.js';
import type { DialplanHistory } from './history.js';
import { roleText } from './tokens.js';
import type { NumberParser } from './write-request.js';

export type WriteContext = AdminContext & {
  store: DialplanStore;
  history: DialplanHistory;
  parseNumber: NumberParser;
  now: () => Date;
  /** Last call per tracking number, where analytics keep them; empty when nothing does. */
  lastCalls: () => Promise<ReadonlyMap<string, Date>>;
  transportWarnings: TransportWarnings;
};

/**
 * What a valid write's answer warns of: fields of the written entry (JSON pointers) naming a
 * transport a connected drachtio-server does not listen on. The write stands.
 */
export type TransportWarnings = (
  entry: unknown,
) => readonly { readonly pointer: string; readonly message: string }[];

/**
 * The answer of an accepted change (the new ETag, versions, the entry before and after, the
 * files, and warnings when there are any) and its audit entry; a dry run answers the same with
 * `dryRun: true` and is not audited.
 */
export async function answerChange(
  ctx: WriteContext,
  req: FastifyRequest,
  reply: FastifyReply,
  change: Changed<Edit>,
  audit: { action: string; target: string; status?: number },
): Promise<Record<string, unknown>> {
  const { versionBefore, versionAfter, files, before, after, changedNumbers } = change;
  const warnings = after === undefined ? [] : ctx.transportWarnings(after);
  const body = {
    ...(change.dryRun && { dryRun: true, valid: true }),
    versionBefore,
    versionAfter,
    ...(before !== undefined && { before }),
    ...(after !== undefined && { after }),
    ...(changedNumbers && { changedNumbers }),
    files,
    ...(warnings.length > 0 && { warnings }),
  };
  // a dry run changed nothing: its ETag is the version it was checked against
  if (change.dryRun) {
    reply.header('ETag', `"${versionBefore}"`);
    return body;
  }
  reply.code(audit.status ?? 200).header('ETag', `"${versionAfter}"`);
  const { name, role } = ctx.who(req);
  await ctx.audit
    .append({
      actor: name,
      role: roleText(role),
      action: audit.action,
      target: audit.target,
      ...(before !== undefined && { before }),
      ...(after !== undefined && { after }),
      versionBefore,
      versionAfter,
      detail: { files, ...(changedNumbers && { changedNumbers }) },
    })
    // the change is made and served: a lost audit entry is logged loudly, not undone
    .catch((err: Error) =>
      ctx.log.error({ err, action: audit.action }, 'admin API: audit entry not stored'),
    );
  return body;
}

export const originOf = (ctx: AdminContext, req: FastifyRequest) => `api:${ctx.who(req).name}`;
