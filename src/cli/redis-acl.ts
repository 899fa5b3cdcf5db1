/**
 * `calltrack redis-acl [--out file]`: the Redis ACL file (users in src/redis-acl/users.ts) with
 * the SHA-256 of each user's real password, taken from REDIS_PASSWORD_GATEWAY, _ADMIN_API,
 * _ANALYTICS, _BILLING and _ADMIN, and the stream names from RECORD_STREAM, TRAFFIC_STREAM and
 * AUDIT_STREAM.
 * Nobody edits hashes by hand, and the passwords are never written down: only their hashes.
 */
import { loadConfig } from '../config/load.js';
import { writeAtomically } from '../files/write-atomically.js';
import { ACL_USERS, type AclUser, PASSWORD_VARS, renderAcl } from '../redis-acl/users.js';
import { CliError, type CliIO } from './io.js';

/**
 * Unreserved URL characters only: the passwords travel unencoded in REDIS_URL. At least 16 of
 * them: the file holds unsalted hashes, which a short password would not survive.
 */
const PASSWORD = /^[A-Za-z0-9._~-]{16,}$/;

export async function redisAclCommand(io: CliIO, out: string | undefined): Promise<number> {
  const problems: string[] = [];
  const passwords = {} as Record<AclUser, string>;
  for (const user of ACL_USERS) {
    const name = PASSWORD_VARS[user];
    const value = io.env[name] ?? '';
    if (!value) problems.push(`${name}: not set (the password of the Redis user '${user}')`);
    else if (!PASSWORD.test(value))
      problems.push(`${name}: use at least 16 of A-Z a-z 0-9 . _ ~ - (it travels in REDIS_URL)`);
    passwords[user] = value;
  }
  // one shared password would let each component log in as the others
  const twice = ACL_USERS.filter(
    (u, i) => passwords[u] && ACL_USERS.findIndex((v) => passwords[v] === passwords[u]) < i,
  );
  for (const user of twice) problems.push(`${PASSWORD_VARS[user]}: the same as another user's`);
  if (problems.length > 0)
    throw new CliError(`redis-acl: no file written\n  ${problems.join('\n  ')}`);
  const config = loadConfig(io.env);
  const text = renderAcl(passwords, {
    calls: config.records.stream,
    traffic: config.traffic.stream,
    audit: config.audit.stream,
  });
  if (out === undefined) {
    io.out(text.trimEnd());
    return 0;
  }
  await writeAtomically(out, text);
  io.err(`wrote ${out}: load it with redis-server --aclfile ${out} (or ACL LOAD as admin)`);
  return 0;
}
