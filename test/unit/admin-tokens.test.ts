import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { AuthFailures } from '../../src/admin/auth-failures.js';
import { TokenStore } from '../../src/admin/token-store.js';
import { parseTokens, sha256Hex, TokenSet } from '../../src/admin/tokens.js';
import { runCli } from '../../src/cli/run.js';
import { ConfigError } from '../../src/config/load.js';
import type { Logger } from '../../src/observability/logger.js';

const ADMIN = 'admin-token-0123456789abcdefghijklmnopqrstu';
const DEALER = 'dealer-token-0123456789abcdefghijklmnopqrst';

const file = (entries: [name: string, role: string, token: string][]) =>
  [
    'version: 1',
    'tokens:',
    ...entries.map(
      ([n, r, tok]) => `  - { name: ${n}, role: "${r}", sha256: "${sha256Hex(tok)}" }`,
    ),
  ].join('\n');

t.test('a valid file: each token finds its name and role, nothing else does', async (t) => {
  const set = parseTokens(
    'tokens.yaml',
    file([
      ['ops', 'admin', ADMIN],
      ['berlin', 'customer:autohaus-berlin', DEALER],
      ['accounts', 'billing', 'tok-billing'],
    ]),
  );
  t.equal(set.size, 3);
  t.same(set.authenticate('tok-billing'), { name: 'accounts', role: { kind: 'billing' } });
  t.same(set.authenticate(ADMIN), { name: 'ops', role: { kind: 'admin' } });
  t.same(set.authenticate(DEALER), {
    name: 'berlin',
    role: { kind: 'customer', customerId: 'autohaus-berlin' },
  });
  t.equal(set.authenticate(`${ADMIN}x`), undefined, 'a longer token');
  t.equal(set.authenticate(sha256Hex(ADMIN)), undefined, 'the hash is not a token');
  t.equal(set.authenticate(''), undefined);
});

t.test('every problem is listed with file:line:col', async (t) => {
  const text = [
    'version: 1', // 1
    'tokens:', // 2
    `  - name: ops`, // 3
    '    role: root', // 4
    `    sha256: "${sha256Hex(ADMIN).toUpperCase()}"`, // 5
    `  - name: ops`, // 6
    '    role: viewer', // 7
    `    sha256: "${sha256Hex(DEALER)}"`, // 8
    '    token: plain', // 9
    `  - name: ops`, // 10
    '    role: viewer', // 11
    `    sha256: "${sha256Hex(DEALER)}"`, // 12
  ].join('\n');
  const err = t.throws(() => parseTokens('tokens.yaml', text)) as ConfigError;
  t.ok(err instanceof ConfigError);
  t.match(err.problems, [
    /^tokens\.yaml:4:11: .*admin, editor, viewer, billing or customer:<customer id>/,
    /^tokens\.yaml:5:13: .*hex SHA-256/,
    /^tokens\.yaml:9:5: unknown field 'token'/,
  ]);
  t.equal(err.problems.length, 3, err.message);
  // schema-valid, but one name and one token twice
  const twice = text
    .split('\n')
    .slice(0, 2)
    .concat(text.split('\n').slice(5, 8), text.split('\n').slice(9));
  const dup = t.throws(() => parseTokens('tokens.yaml', twice.join('\n'))) as ConfigError;
  t.match(dup.problems, [
    /^tokens\.yaml:6:11: this name is already used by entry 1/,
    /^tokens\.yaml:8:13: this sha256 is already used by entry 1; one entry per token/,
  ]);
  const syntax = t.throws(() =>
    parseTokens('tokens.yaml', 'version: 1\ntokens: [\n'),
  ) as ConfigError;
  t.match(syntax.problems[0], /^tokens\.yaml:\d+:\d+: /);
});

t.test('every entry is compared, in constant time, whichever matches', async (t) => {
  const seen: [number, number][] = [];
  const set = new TokenSet(
    [
      { name: 'a', role: 'admin', sha256: sha256Hex(ADMIN) },
      { name: 'b', role: 'viewer', sha256: sha256Hex('b') },
      { name: 'c', role: 'viewer', sha256: sha256Hex('c') },
    ],
    (x, y) => {
      seen.push([x.length, y.length]);
      return x.equals(y);
    },
  );
  t.match(set.authenticate(ADMIN), { name: 'a' });
  t.same(
    seen,
    [
      [32, 32],
      [32, 32],
      [32, 32],
    ],
    'no early exit after the first entry matched; equal-length digests, as timingSafeEqual needs',
  );
  // the default is crypto.timingSafeEqual, which throws on buffers of unequal length
  t.match(
    new TokenSet([{ name: 'a', role: 'admin', sha256: sha256Hex(ADMIN) }]).authenticate(ADMIN),
    {
      name: 'a',
    },
  );
});

t.test('a reload keeps the last good tokens when the new file is invalid', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'calltrack-tokens-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'tokens.yaml');
  writeFileSync(path, file([['ops', 'admin', ADMIN]]));
  const logged: { level: string; obj: Record<string, unknown> }[] = [];
  const logger = {
    info: (obj: Record<string, unknown>) => logged.push({ level: 'info', obj }),
    error: (obj: Record<string, unknown>) => logged.push({ level: 'error', obj }),
  } as unknown as Logger;
  const store = new TokenStore(path);
  writeFileSync(path, file([['ops', 'admin', ADMIN]]).replace('role: "admin"', 'role: "boss"'));
  t.equal(store.reload(logger), false);
  t.match(store.current.authenticate(ADMIN), { name: 'ops' }, 'the last good file is in force');
  t.match(logged, [{ level: 'error', obj: { problems: [/tokens\.yaml:3:\d+: /] } }]);
  t.notMatch(JSON.stringify(logged), sha256Hex(ADMIN), 'no hash in the log');
  writeFileSync(path, file([['anna', 'viewer', DEALER]]));
  t.equal(store.reload(logger), true);
  t.equal(store.current.authenticate(ADMIN), undefined, 'the old token is gone');
  t.match(store.current.authenticate(DEALER), { name: 'anna', role: { kind: 'viewer' } });
  t.throws(() => new TokenStore(join(dir, 'missing.yaml')), /ADMIN_TOKENS_FILE: cannot read/);
});

t.test('failed authentication: a burst, then one per interval, per address', async (t) => {
  let now = 0;
  const f = new AuthFailures({ burst: 3, perSecond: 0.5, addresses: 2 }, () => now);
  for (let i = 0; i < 3; i++) {
    t.equal(f.retryAfter('10.0.0.1'), 0);
    f.failed('10.0.0.1');
  }
  t.equal(f.retryAfter('10.0.0.1'), 2, 'spent: one more failure in 2 s');
  t.equal(f.retryAfter('10.0.0.2'), 0, 'another address is not slowed');
  now = 2000;
  t.equal(f.retryAfter('10.0.0.1'), 0, 'refilled by one');
  f.failed('10.0.0.1');
  t.equal(f.retryAfter('10.0.0.1'), 2, 'spent again');
  f.failed('10.0.0.2');
  f.failed('10.0.0.3');
  t.equal(f.retryAfter('10.0.0.1'), 0, 'forgotten: only two addresses are tracked');
});

t.test(
  'calltrack token prints a new token and the line that admits it, with its role',
  async (t) => {
    const run = async (...argv: string[]) => {
      const out: string[] = [];
      const err: string[] = [];
      const code = await runCli(argv, {
        out: (l) => out.push(l),
        err: (l) => err.push(l),
        now: () => new Date(),
        env: {},
      });
      return { code, out, err };
    };
    const a = await run('token', '--name', 'anna', '--role', 'customer:autohaus-berlin');
    t.equal(a.code, 0);
    const [token, line] = a.out as [string, string];
    t.match(token, /^[A-Za-z0-9_-]{43}$/, '256 random bits, base64url');
    t.notMatch(line, token, 'the line holds the hash, not the token');
    const set = parseTokens('tokens.yaml', `version: 1\ntokens:\n${line}\n`);
    t.same(set.authenticate(token), {
      name: 'anna',
      role: { kind: 'customer', customerId: 'autohaus-berlin' },
    });
    const b = await run('token', '--name', 'anna', '--role', 'viewer');
    t.not(b.out[0], token, 'a new token each time');
    const billing = await run('token', '--name', 'accounts', '--role', 'billing');
    t.equal(billing.code, 0);
    const [billingToken, billingLine] = billing.out as [string, string];
    t.same(
      parseTokens('t.yaml', `version: 1\ntokens:\n${billingLine}\n`).authenticate(billingToken),
      {
        name: 'accounts',
        role: { kind: 'billing' },
      },
    );
    const bad = await run('token', '--name', 'anna', '--role', 'root');
    t.equal(bad.code, 2);
    t.match(
      bad.err.join('\n'),
      /'role' must be admin, editor, viewer, billing or customer:<customer id>/,
    );
  },
);
