/**
 * The audit entry of a read (a download, a traffic read), written before the answer leaves:
 * a trail that cannot take it refuses the read (503), so nothing is read unaudited.
 */
import type { FastifyRequest } from 'fastify';
import type { AuditEntry } from './audit.js';
import type { AdminContext } from './context.js';
import { Problem } from './problem.js';
import { roleText } from './tokens.js';

export async function auditedRead(
  ctx: AdminContext,
  req: FastifyRequest,
  entry: Omit<AuditEntry, 'actor' | 'role'>,
): Promise<void> {
  const { name, role } = ctx.who(req);
  try {
    await ctx.audit.append({ actor: name, role: roleText(role), ...entry });
  } catch (err) {
    ctx.log.error({ err, action: entry.action }, 'admin API: download refused, not audited');
    throw new Problem(503, 'the audit trail is not available; downloads wait until it is');
  }
}
