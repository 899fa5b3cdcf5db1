/**
 * A real redis-server started with the shipped ACL file (config/redis/users.acl), and each user's
 * REDIS_URL with the example password from config/deploy/.env.example the file was made from.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Test } from 'tap';
import { type AclUser, PASSWORD_VARS } from '../../src/redis-acl/users.js';
import { type RedisServer, startRedis } from './redis.js';

const REPO = resolve(import.meta.dirname, '../..');
export const SHIPPED_ACL = join(REPO, 'config/redis/users.acl');

/** REDIS_PASSWORD_* of config/deploy/.env.example. */
export function examplePasswords(): Record<string, string> {
  const text = readFileSync(join(REPO, 'config/deploy/.env.example'), 'utf8');
  return Object.fromEntries(
    [...text.matchAll(/^(REDIS_PASSWORD_[A-Z_]+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!]),
  );
}

export type AclRedis = RedisServer & { urlOf(user: AclUser): string };

export async function startAclRedis(t: Test, aclFile = SHIPPED_ACL): Promise<AclRedis> {
  const server = await startRedis(t, ['--aclfile', aclFile]);
  const passwords = examplePasswords();
  return {
    ...server,
    urlOf: (user) => `redis://${user}:${passwords[PASSWORD_VARS[user]]}@127.0.0.1:${server.port}`,
  };
}
