/**
 * The audit trail in a Redis stream (AUDIT_STREAM, `calltrack:audit` by default), every entry
 * also in the log. Each XADD trims what is older than AUDIT_RETENTION_DAYS (MINID ~, as the call
 * stream's retention does): audit entries are few, so the trim costs nothing worth batching.
 * The log line goes first: an entry Redis did not take is still on record, and `append` rejects
 * so the caller can refuse what it was about to do.
 */

import type { Logger } from '../observability/logger.js';
import type { RedisClient } from '../redis/connect.js';
import { type AuditEntry, type AuditSink, logAudit } from './audit.js';
import { fromAuditFields, type StoredAuditEntry, toAuditFields } from './audit-entry.js';

const DAY_MS = 86_400_000;

export type AuditQuery = {
  readonly limit: number;
  /** A stream id from an earlier page: entries after it. */
  readonly after?: string;
  /** Milliseconds since the epoch, both included. */
  readonly from?: number;
  readonly to?: number;
};

export type AuditPage = { readonly entries: readonly StoredAuditEntry[]; readonly next?: string };

/** What GET /v1/audit reads; a log-only trail has none. */
export interface AuditReader {
  page(q: AuditQuery): Promise<AuditPage>;
}

export type RedisAuditOptions = {
  redis: RedisClient;
  stream: string;
  retentionDays: number;
  log: Logger;
  /** Wall clock in ms: retention is by the stream ids' time, which is Redis' wall clock. */
  now: () => number;
};

export class RedisAudit implements AuditSink, AuditReader {
  readonly #o: RedisAuditOptions;
  readonly #log: Logger;

  constructor(options: RedisAuditOptions) {
    this.#o = options;
    this.#log = options.log.child({ component: 'audit' });
  }

  async append(entry: AuditEntry): Promise<void> {
    const fields = toAuditFields(entry);
    logAudit(this.#log, entry);
    const { redis, stream, retentionDays, now } = this.#o;
    const minId = String(Math.max(0, now() - retentionDays * DAY_MS));
    await redis.xadd(stream, 'MINID', '~', minId, '*', ...fields);
  }

  async page(q: AuditQuery): Promise<AuditPage> {
    let start = q.from === undefined ? '-' : String(q.from);
    if (q.after !== undefined) {
      // the cursor wins unless the period starts later than it
      if (q.from === undefined || Number(q.after.split('-')[0]) >= q.from) start = `(${q.after}`;
    }
    const end = q.to === undefined ? '+' : String(q.to);
    const rows = await this.#o.redis.xrange(this.#o.stream, start, end, 'COUNT', q.limit);
    const entries = rows.map(([id, fields]) => fromAuditFields(id, fields));
    const more = entries.length === q.limit;
    return { entries, ...(more && { next: entries.at(-1)!.id }) };
  }
}
