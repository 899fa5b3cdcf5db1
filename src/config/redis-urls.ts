/**
 * The Redis URLs of the configuration, checked beside the schema's problems: each must parse in
 * one of the three forms (src/redis/url.ts), and a Redis Cluster must be able to run the record
 * writer's script, which touches the record and the traffic stream together.
 */
import { crossSlotProblem } from '../records/record-keys.js';
import { parseRedisUrl, RedisUrlError } from '../redis/url.js';

type Raw = {
  redisUrl?: unknown;
  admin?: { redisUrl?: unknown };
  traffic?: { records?: unknown; stream?: unknown; billingRedisUrl?: unknown };
  records?: { stream?: unknown };
  recordSink?: unknown;
};

export function redisProblems(raw: Record<string, unknown>): string[] {
  const r = raw as Raw;
  const problems: string[] = [];
  const urls: [string, unknown][] = [
    ['REDIS_URL', r.redisUrl],
    ['ADMIN_REDIS_URL', r.admin?.redisUrl],
    ['BILLING_REDIS_URL', r.traffic?.billingRedisUrl],
  ];
  let cluster = false;
  for (const [name, url] of urls) {
    if (typeof url !== 'string' || url === '') continue;
    // the schema already names a REDIS_URL of another scheme
    if (name === 'REDIS_URL' && !/^rediss?(-cluster|-sentinel)?:\/\//.test(url)) continue;
    try {
      const kind = parseRedisUrl(url).kind;
      // the writer (the one script on both streams) uses REDIS_URL; the others read one key a command
      if (name === 'REDIS_URL') cluster = kind === 'cluster';
    } catch (err) {
      if (!(err instanceof RedisUrlError)) throw err;
      problems.push(`${name}: ${err.message}`);
    }
  }
  // a single Redis or a Sentinel pair has no slots; only a cluster refuses keys of two slots
  const calls = r.records?.stream;
  const traffic = r.traffic?.stream;
  if (
    cluster &&
    r.traffic?.records === 'on' &&
    typeof calls === 'string' &&
    typeof traffic === 'string'
  ) {
    const problem = crossSlotProblem(calls, traffic);
    if (problem) problems.push(problem);
  }
  return problems;
}
