/**
 * An audit entry as stored: flat stream fields (who, what, to what) plus JSON for the before,
 * after and detail, and back. Pure. Caller data is refused here, before the log or the stream
 * sees the entry: the AuditEntry type has no place for it, and a key that names a caller anywhere
 * in the before, after or detail (a route module passing a call record along, say) is an error,
 * never stored and never logged.
 */
import type { AuditEntry } from './audit.js';

/** An entry read back: its stream id (`<ms>-<seq>`, the cursor) and when it was appended. */
export type StoredAuditEntry = AuditEntry & { readonly id: string; readonly at: string };

export class AuditRefused extends Error {
  override name = 'AuditRefused';
}

// caller number, its pseudonym, P-Asserted-Identity, ANI/CLI, the record's caller_* columns
const CALLER_KEY = /caller|calling|asserted|pseudonym|^(ani|cli|from_?(number|uri|user))$/i;
const ACTION = /^[a-z]+(\.[a-z-]+)+$/;
const MAX_JSON = 256 * 1024;

/** Where in the entry a key names caller data (`detail.rows.0.callerNumber`), if anywhere. */
export function callerKey(value: unknown, path = ''): string | undefined {
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) {
      const found = callerKey(v, `${path}.${i}`);
      if (found) return found;
    }
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (CALLER_KEY.test(k)) return `${path}.${k}`.slice(1);
      const found = callerKey(v, `${path}.${k}`);
      if (found) return found;
    }
  }
  return undefined;
}

const JSON_FIELDS = ['before', 'after', 'detail'] as const;
const TEXT_FIELDS = ['versionBefore', 'versionAfter'] as const;

/** The XADD field list of an entry; AuditRefused when it is not one the trail may keep. */
export function toAuditFields(entry: AuditEntry): string[] {
  for (const k of ['actor', 'role', 'action', 'target'] as const)
    if (typeof entry[k] !== 'string' || entry[k].length === 0 || entry[k].length > 200)
      throw new AuditRefused(`audit entry: '${k}' must be a string of 1 to 200 characters`);
  if (!ACTION.test(entry.action))
    throw new AuditRefused(`audit entry: action '${entry.action}' is not <noun>.<verb>`);
  const known = new Set<string>([
    'actor',
    'role',
    'action',
    'target',
    ...JSON_FIELDS,
    ...TEXT_FIELDS,
  ]);
  const unknown = Object.keys(entry).find((k) => !known.has(k));
  if (unknown) throw new AuditRefused(`audit entry: unknown field '${unknown}'`);
  const where = callerKey(entry);
  if (where) throw new AuditRefused(`audit entry: caller data is never audited ('${where}')`);
  const fields = ['actor', entry.actor, 'role', entry.role, 'action', entry.action];
  fields.push('target', entry.target);
  for (const k of TEXT_FIELDS) if (entry[k] !== undefined) fields.push(k, String(entry[k]));
  for (const k of JSON_FIELDS) {
    if (entry[k] === undefined) continue;
    const text = JSON.stringify(entry[k]);
    if (text.length > MAX_JSON) throw new AuditRefused(`audit entry: '${k}' is over 256 kB`);
    fields.push(k, text);
  }
  return fields;
}

/** A stream entry back as the entry it was; fields it does not know are left out. */
export function fromAuditFields(id: string, flat: readonly string[]): StoredAuditEntry {
  const f = new Map<string, string>();
  for (let i = 0; i + 1 < flat.length; i += 2) f.set(flat[i]!, flat[i + 1]!);
  const entry: Record<string, unknown> = {
    id,
    at: new Date(Number(id.split('-')[0])).toISOString(),
    actor: f.get('actor') ?? '',
    role: f.get('role') ?? '',
    action: f.get('action') ?? '',
    target: f.get('target') ?? '',
  };
  for (const k of TEXT_FIELDS) if (f.has(k)) entry[k] = f.get(k);
  for (const k of JSON_FIELDS) {
    const text = f.get(k);
    if (text === undefined) continue;
    try {
      entry[k] = JSON.parse(text);
    } catch {
      entry[k] = text;
    }
  }
  return entry as StoredAuditEntry;
}
