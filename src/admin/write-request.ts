/**
 * What every write of the admin API checks before it touches a file: who may write what, the
 * If-Match version, the query (`dryRun`, `file`), the body's shape and the numbers in it.
 */
import type { FastifyRequest } from 'fastify';
import { COUNTRY_CODES } from '../numbering/classify.js';
import { normalise } from '../numbering/normalise.js';
import type { AdminContext } from './context.js';
import { type FieldError, Problem } from './problem.js';
import { quoted } from './query.js';

export type Writer = 'admin' | 'editor';

/**
 * Refuses a write the principal may not make. Customer tokens never write: another customer's
 * target is 404 as if it did not exist (`owner` is the target's customer, when there is one),
 * their own is 403.
 */
export function mayWrite(
  ctx: AdminContext,
  req: FastifyRequest,
  roles: readonly Writer[],
  owner: string | undefined,
  notFound: string,
): void {
  const { role } = ctx.who(req);
  if (role.kind === 'customer') {
    if (owner !== undefined && owner !== role.customerId) throw new Problem(404, notFound);
    throw new Problem(403, 'a customer token reads its own data; it cannot change it');
  }
  if (!(roles as readonly string[]).includes(role.kind))
    throw new Problem(
      403,
      `a ${role.kind} token cannot make this change (it needs ${roles.join(' or ')})`,
    );
}

const ETAG = /^(W\/)?"([0-9a-f]{16})"$/;

/** The versions If-Match names (RFC 9110 §13.1.1); 428 without it. */
export function ifMatch(req: FastifyRequest): string[] {
  const header = req.headers['if-match'];
  if (header === undefined || header === '')
    throw new Problem(
      428,
      'a write needs If-Match with the ETag of the dialplan it was based on (read it first)',
    );
  const tags = String(header)
    .split(',')
    .map((t) => t.trim());
  const versions: string[] = [];
  for (const tag of tags) {
    const m = ETAG.exec(tag);
    if (!m)
      throw new Problem(
        tag === '*' ? 428 : 400,
        `If-Match ${quoted(tag)} is not a dialplan ETag ("<16 hex digits>", as GET answers carry)`,
      );
    // If-Match compares strongly (RFC 9110 §13.1.1): a weak tag never matches, so 412
    if (!m[1]) versions.push(m[2]!);
  }
  return versions;
}

/** A file name for `?file=`: a plain YAML file name in the dialplan folder, no path. */
const FILE = /^[A-Za-z0-9][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)*\.ya?ml$/;

export type WriteQuery = { dryRun: boolean; file?: string };

/** `?dryRun=true|false` on every write, `?file=` where `allowFile`; anything else is 400. */
export function writeQuery(req: FastifyRequest, allowFile = false): WriteQuery {
  const q = (req.query ?? {}) as Record<string, unknown>;
  const out: WriteQuery = { dryRun: false };
  for (const [name, value] of Object.entries(q)) {
    if (name !== 'dryRun' && !(allowFile && name === 'file'))
      throw new Problem(
        400,
        `unknown query parameter ${quoted(name)}; known: dryRun${allowFile ? ', file' : ''}`,
      );
    if (typeof value !== 'string')
      throw new Problem(400, `query parameter '${name}' is given more than once`);
    if (name === 'dryRun') {
      if (value !== 'true' && value !== 'false')
        throw new Problem(400, `query parameter 'dryRun': ${quoted(value)} is not true or false`);
      out.dryRun = value === 'true';
    } else {
      if (value.length > 128 || !FILE.test(value))
        throw new Problem(
          400,
          `query parameter 'file': ${quoted(value)} is not a file name in the dialplan folder (letters, digits, '.', '_', '-', ending .yaml or .yml; no path)`,
        );
      out.file = value;
    }
  }
  return out;
}

/** The body as an object; `allowed` (if given) lists the only members it may have. */
export function bodyObject(
  body: unknown,
  allowed?: readonly string[],
  why = 'is not a field of this request',
): Record<string, unknown> {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body))
    throw Problem.invalid('the body must be a JSON object', [
      { pointer: '', message: 'must be a JSON object' },
    ]);
  const obj = body as Record<string, unknown>;
  if (allowed) {
    const errors: FieldError[] = Object.keys(obj)
      .filter((k) => !allowed.includes(k))
      .map((k) => ({ pointer: `/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`, message: why }));
    if (errors.length > 0)
      throw Problem.invalid(
        `unknown or unchangeable fields; allowed: ${allowed.join(', ')}`,
        errors,
      );
  }
  return obj;
}

export type NumberParser = (raw: unknown) => string | { message: string };

/** Numbers as the CLI takes them ("030 2555 0101", "0043 316 …"): E.164, or why not. */
export function numberParser(defaultCountry: keyof typeof COUNTRY_CODES): NumberParser {
  const defaultCountryCode = COUNTRY_CODES[defaultCountry];
  return (raw) => {
    if (typeof raw !== 'string') return { message: 'must be a phone number as a string' };
    if (raw.length > 32) return { message: 'is too long for a phone number' };
    const n = normalise(raw, { defaultCountryCode });
    if (typeof n === 'string') return n;
    return {
      message: `${quoted(raw)} ${n.reason === 'ambiguous' ? 'is ambiguous' : 'is not a phone number'}: ${n.detail}`,
    };
  };
}

/** A number in the path: E.164, or 400. */
export function numberParam(parse: NumberParser, raw: string): string {
  const n = parse(raw);
  if (typeof n !== 'string') throw new Problem(400, `${quoted(raw)}: ${n.message}`);
  return n;
}
