/**
 * The admin API's bearer tokens (ADMIN_TOKENS_FILE): YAML checked against
 * config/schema/admin-tokens.schema.json, every problem as `file:line:col: message`. Only the
 * SHA-256 of each token is kept, in the file and in memory: whoever reads the file or a heap dump
 * learns no token. A presented token is hashed and compared with every entry in constant time.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { parseCheckedYaml, readConfigFile } from '../config/yaml-file.js';
import type { Issue } from '../dialplan/types.js';
import { deepFreeze } from '../util/freeze.js';

export type Role =
  /** `billing` reads traffic data (issue 15) and nothing else. */
  | { readonly kind: 'admin' | 'editor' | 'viewer' | 'billing' }
  | { readonly kind: 'customer'; readonly customerId: string };

/** Who a request is: the entry's name (for logs) and its role, never the token or its hash. */
export type Principal = { readonly name: string; readonly role: Role };

type TokenDoc = { name: string; role: string; sha256: string };
type Entry = Principal & { readonly hash: Buffer };

export function sha256Hex(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

function roleOf(text: string): Role {
  if (text.startsWith('customer:')) return { kind: 'customer', customerId: text.slice(9) };
  return { kind: text as 'admin' | 'editor' | 'viewer' | 'billing' };
}

/** The role as the tokens file writes it (`admin`, `customer:<id>`): logs and audit entries. */
export function roleText(role: Role): string {
  return role.kind === 'customer' ? `customer:${role.customerId}` : role.kind;
}

export function loadTokens(file: string): TokenSet {
  return parseTokens(file, readConfigFile('ADMIN_TOKENS_FILE', file));
}

export function parseTokens(file: string, text: string): TokenSet {
  const doc = parseCheckedYaml<{ tokens: TokenDoc[] }>(
    file,
    text,
    'admin-tokens.schema.json',
    (d) => duplicates(file, d.tokens),
  );
  return new TokenSet(doc.tokens);
}

/** One entry per name (logs tell who did what) and per hash (one token, one role). */
function duplicates(file: string, tokens: readonly TokenDoc[]): Issue[] {
  const issues: Issue[] = [];
  const seen = new Map<string, number>();
  tokens.forEach((t, i) => {
    for (const field of ['name', 'sha256'] as const) {
      const key = `${field}:${t[field]}`;
      const first = seen.get(key);
      if (first === undefined) seen.set(key, i);
      else
        issues.push({
          file,
          path: ['tokens', i, field],
          message: `this ${field} is already used by entry ${first + 1}; one entry per ${field === 'name' ? 'name' : 'token'}`,
        });
    }
  });
  return issues;
}

export class TokenSet {
  readonly #entries: readonly Entry[];
  readonly #compare: (a: Buffer, b: Buffer) => boolean;

  /** `compare` is crypto.timingSafeEqual; a test passes a spy to see that it is what runs. */
  constructor(
    tokens: readonly TokenDoc[],
    compare: (a: Buffer, b: Buffer) => boolean = timingSafeEqual,
  ) {
    this.#compare = compare;
    this.#entries = tokens.map((t) =>
      Object.freeze({
        name: t.name,
        role: deepFreeze(roleOf(t.role)),
        hash: Buffer.from(t.sha256, 'hex'),
      }),
    );
  }

  get size(): number {
    return this.#entries.length;
  }

  /**
   * The principal of a bearer token, or undefined. Every entry is compared, whether an earlier
   * one matched or not, and each comparison takes the same time whatever the bytes: how long the
   * answer takes says nothing about which entry, or how much of a hash, was close.
   */
  authenticate(token: string): Principal | undefined {
    const presented = createHash('sha256').update(token, 'utf8').digest();
    let found: Entry | undefined;
    for (const e of this.#entries) if (this.#compare(presented, e.hash) && !found) found = e;
    return found && { name: found.name, role: found.role };
  }
}
