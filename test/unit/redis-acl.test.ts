/**
 * The Redis ACL file: the shipped config/redis/users.acl is exactly what `calltrack redis-acl`
 * makes of the example passwords (so it cannot drift from the rules), it holds hashes and never a
 * password, and the command refuses passwords that are missing, short, URL-unsafe or shared.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { PASSWORD_VARS, renderAcl, sha256Hex } from '../../src/redis-acl/users.js';
import { cli } from '../helpers/cli-io.js';
import { examplePasswords, SHIPPED_ACL as SHIPPED } from '../helpers/redis-acl.js';
import { tempDir } from '../helpers/temp-dir.js';

const REAL = {
  REDIS_PASSWORD_GATEWAY: 'gw-0123456789abcdef',
  REDIS_PASSWORD_ADMIN_API: 'ap-0123456789abcdef',
  REDIS_PASSWORD_ANALYTICS: 'an-0123456789abcdef',
  REDIS_PASSWORD_BILLING: 'bi-0123456789abcdef',
  REDIS_PASSWORD_ADMIN: 'ad-0123456789abcdef',
};

t.test('the shipped file is the rendering of the example passwords', async (t) => {
  const env = examplePasswords();
  t.same(Object.keys(env).sort(), Object.values(PASSWORD_VARS).sort(), 'one per user');
  const r = await cli(['redis-acl'], undefined, env);
  t.equal(r.code, 0, r.err.join('\n'));
  t.equal(
    `${r.out.join('\n')}\n`,
    readFileSync(SHIPPED, 'utf8'),
    'regenerate: set the REDIS_PASSWORD_* of .env.example, then calltrack redis-acl --out config/redis/users.acl',
  );
});

t.test('hashes, never passwords; default off; the stream names configured', async (t) => {
  const dir = tempDir('calltrack-acl-');
  const out = join(dir, 'users.acl');
  const r = await cli(['redis-acl', '--out', out], undefined, {
    ...REAL,
    RECORD_STREAM: 'ct:calls',
    TRAFFIC_STREAM: 'ct:traffic',
    AUDIT_STREAM: 'ct:audit',
  });
  t.equal(r.code, 0, r.err.join('\n'));
  t.same(r.out, [], 'nothing on stdout with --out');
  const text = readFileSync(out, 'utf8');
  for (const pw of Object.values(REAL)) {
    t.notMatch(text, pw, 'no password in the file');
    t.match(text, `#${sha256Hex(pw)}`, 'its hash is');
  }
  const lines = text.trimEnd().split('\n');
  t.same(
    lines.map((l) => l.split(' ')[1]),
    ['default', 'gateway', 'admin-api', 'analytics', 'billing', 'admin'],
  );
  t.equal(lines[0], 'user default reset off');
  t.match(lines[1], '%W~ct:traffic +xadd +xtrim');
  t.match(lines[1], '~ct:calls:writer-seq +hget +hset');
  t.match(lines[2], '~ct:audit +xadd +xrange');
  t.match(lines[4], '%R~ct:traffic +xrange');
  t.notMatch(text, 'calltrack:{records}:calls');
});

t.test('missing, weak and shared passwords are refused, all at once', async (t) => {
  const r = await cli(['redis-acl'], undefined, {
    REDIS_PASSWORD_GATEWAY: 'short',
    REDIS_PASSWORD_ANALYTICS: 'with space and more than 16',
    REDIS_PASSWORD_BILLING: REAL.REDIS_PASSWORD_ADMIN,
    REDIS_PASSWORD_ADMIN: REAL.REDIS_PASSWORD_ADMIN,
    REDIS_PASSWORD_ADMIN_API: REAL.REDIS_PASSWORD_ADMIN_API,
  });
  t.equal(r.code, 2);
  t.same(r.out, []);
  const msg = r.err.join('\n');
  t.match(msg, 'REDIS_PASSWORD_GATEWAY: use at least 16 of');
  t.match(msg, 'REDIS_PASSWORD_ANALYTICS: use at least 16 of');
  t.match(msg, "REDIS_PASSWORD_ADMIN: the same as another user's");
  const none = await cli(['redis-acl'], undefined, {});
  t.equal(none.err.filter((l) => l.includes('not set')).length, 5, 'each missing one named');
  t.notMatch(none.err.join('\n'), 'the same as', 'five missing are not five shared');
  t.match(
    none.err.join('\n'),
    "REDIS_PASSWORD_BILLING: not set (the password of the Redis user 'billing')",
  );
});

t.test('the rendering alone matches the command', async (t) => {
  const env = examplePasswords();
  const text = renderAcl({
    gateway: env.REDIS_PASSWORD_GATEWAY!,
    'admin-api': env.REDIS_PASSWORD_ADMIN_API!,
    analytics: env.REDIS_PASSWORD_ANALYTICS!,
    billing: env.REDIS_PASSWORD_BILLING!,
    admin: env.REDIS_PASSWORD_ADMIN!,
  });
  t.equal(text, readFileSync(SHIPPED, 'utf8'));
});
