/**
 * What every route module of the admin API is handed: the current table, who the request is, and
 * the helpers every answer shares (the ETag, the customer a customer token is limited to).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '../observability/logger.js';
import type { RouteTable } from '../routing/route-table.js';
import type { AuditSink } from './audit.js';
import type { Principal } from './tokens.js';

export type AdminContext = {
  table: () => RouteTable;
  log: Logger;
  audit: AuditSink;
  /** The authenticated principal of a request (every route runs after authentication). */
  who: (req: FastifyRequest) => Principal;
  /** The customer a customer token is limited to; undefined for every other role. */
  ownCustomer: (req: FastifyRequest) => string | undefined;
  /** Marks an answer with the version of the table it was read from. */
  etag: (reply: FastifyReply, table: RouteTable) => FastifyReply;
};
