/**
 * The audit trail of the admin API: every accepted write and every download of call history or
 * recordings, who did it and what changed. Entries never carry caller data (no caller number,
 * no token): an entry names a tracking number, a customer id or a recording id at most.
 */

import type { Logger } from '../observability/logger.js';
import { toAuditFields } from './audit-entry.js';

export type AuditEntry = {
  /** The token's name, and its role as written in the tokens file (`admin`, `customer:<id>`). */
  actor: string;
  role: string;
  /** What was done: `number.create`, `number.update`, `number.deactivate`, `customer.create`,
   * `history.download`, `recording.download`, … */
  action: string;
  /** What it was done to: a tracking number, a customer id, a recording id. */
  target: string;
  /** The entry before and after the change (absent for creates, deletes and downloads). */
  before?: unknown;
  after?: unknown;
  versionBefore?: string;
  versionAfter?: string;
  /** Anything else worth keeping (the range of a download, the files written). */
  detail?: Record<string, unknown>;
};

export interface AuditSink {
  /** Resolves once the entry is stored; rejects when it cannot be (the caller decides). */
  append(entry: AuditEntry): Promise<void>;
}

/**
 * The log line of an entry. The log redacts digit runs (phone numbers) everywhere but in fields
 * that name a call: a recording's id (its call's record id) goes there too, so ops can grep it.
 */
export function logAudit(log: Logger, entry: AuditEntry): void {
  const recordId = entry.action.startsWith('recording.') ? { recordId: entry.target } : {};
  log.info(
    { audit: entry, ...recordId },
    `audit: ${entry.action} ${entry.target} by ${entry.actor}`,
  );
}

/** Without Redis (RECORD_SINK other than redis): the log alone keeps the trail. */
export function logOnlyAudit(log: Logger): AuditSink {
  const audit = log.child({ component: 'audit' });
  return {
    async append(entry) {
      toAuditFields(entry); // the same refusals as the stored trail: no caller data, ever
      logAudit(audit, entry);
    },
  };
}
