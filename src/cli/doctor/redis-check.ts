/**
 * Redis, when this configuration uses it: records (RECORD_SINK=redis, which also carries the admin
 * API's audit trail) or dialplan distribution (DIALPLAN_SOURCE=redis, DIALPLAN_PUBLISH=on). PING
 * with REDIS_URL's credentials; the address is shown without them.
 */
import { withoutCredentials } from '../../admin/http.js';
import type { Config } from '../../config/load.js';
import { describeNet } from './probe.js';
import { type RedisFailure, withRedisProbe } from './redis-probe.js';
import { type CheckResult, failed, ok, skipped } from './result.js';

const CHECK = 'redis';

/** Why this configuration needs Redis; empty: it does not. */
export function redisUses(config: Config): string[] {
  return [
    config.recordSink === 'redis' && 'RECORD_SINK=redis',
    config.distribution.source === 'redis' && 'DIALPLAN_SOURCE=redis',
    config.distribution.publish === 'on' && 'DIALPLAN_PUBLISH=on',
  ].filter((u): u is string => Boolean(u));
}

export async function checkRedis(config: Config, timeoutMs: number): Promise<CheckResult> {
  const uses = redisUses(config);
  if (uses.length === 0)
    return skipped(CHECK, `not used (RECORD_SINK=${config.recordSink}, DIALPLAN_SOURCE=files)`);
  const result = await withRedisProbe(config.redisUrl, timeoutMs, (r) => r.ping());
  const where = withoutCredentials(config.redisUrl);
  if (result.ok) return ok(CHECK, `${where}: ${result.value} (for ${uses.join(', ')})`);
  return redisFailureRow(CHECK, where, result.failure);
}

export function redisFailureRow(check: string, where: string, f: RedisFailure): CheckResult {
  if (f.kind === 'auth-refused')
    return failed(
      check,
      `${where}: authentication refused (${f.message.split(' ')[0]})`,
      "put Redis's password in REDIS_URL (redis://:<password>@host:6379, or redis://<user>:<password>@… for an ACL user) as redis.conf's requirepass has it",
    );
  if (f.kind === 'refused')
    return failed(
      check,
      describeNet(f, where),
      'start Redis (apt-get install redis-server, or docker run -d -p 6379:6379 redis:7) or set REDIS_URL to where it runs',
    );
  return failed(
    check,
    describeNet(f, where),
    `check REDIS_URL and that a firewall lets this host reach ${where}`,
  );
}
