/**
 * The three forms a Redis URL (REDIS_URL, ADMIN_REDIS_URL, BILLING_REDIS_URL) may take, parsed
 * once at config load so a typo is a refusal at start, never a client retrying a wrong address:
 *
 * - `redis://[user:pass@]host:port[/db]` or `rediss://…` (TLS): one Redis, as ioredis reads it;
 * - `redis-cluster://[user:pass@]h1:p1,h2:p2,…` (or `rediss-cluster://`): seed nodes of a Redis
 *   Cluster; the client learns the rest of the cluster from any one of them;
 * - `redis-sentinel://[user:pass@]s1:p1,s2:p2,…/<master name>[?sentinelUsername=…&sentinelPassword=…&db=n]`
 *   (or `rediss-sentinel://`): Sentinels that name the master of `<master name>`. The user and
 *   password before `@` are the data nodes' (master and replicas); the Sentinels' own, when they
 *   have one, go in the query, as Sentinels usually run with no or another password.
 */

export type HostPort = { readonly host: string; readonly port: number };

export type RedisTarget =
  | { readonly kind: 'single'; readonly url: string }
  | {
      readonly kind: 'cluster';
      readonly nodes: readonly HostPort[];
      readonly username?: string;
      readonly password?: string;
      readonly tls: boolean;
    }
  | {
      readonly kind: 'sentinel';
      readonly sentinels: readonly HostPort[];
      readonly name: string;
      readonly username?: string;
      readonly password?: string;
      readonly sentinelUsername?: string;
      readonly sentinelPassword?: string;
      readonly db: number;
      readonly tls: boolean;
    };

export class RedisUrlError extends Error {
  override name = 'RedisUrlError';
}

const SCHEME = /^(rediss?|rediss?-cluster|rediss?-sentinel):\/\/(.*)$/s;
const SENTINEL_QUERY = new Set(['sentinelUsername', 'sentinelPassword', 'db']);

/** Parses `text`; throws RedisUrlError saying what is wrong (without the password). */
export function parseRedisUrl(text: string): RedisTarget {
  const m = SCHEME.exec(text.trim());
  if (!m)
    throw new RedisUrlError(
      'not a Redis URL: expected redis://, rediss://, redis-cluster://host:port,… or redis-sentinel://host:port,…/<master name>',
    );
  const scheme = m[1]!;
  if (scheme === 'redis' || scheme === 'rediss') return single(text.trim());
  const tls = scheme.startsWith('rediss');
  const { user, rest } = splitUser(m[2]!);
  const [beforeQuery = '', query = ''] = splitOnce(rest, '?');
  const [hostList = '', path = ''] = splitOnce(beforeQuery, '/');
  const hosts = parseHosts(hostList);
  const auth = {
    ...(user.username && { username: user.username }),
    ...(user.password && { password: user.password }),
  };
  if (scheme.endsWith('-cluster')) {
    if (path || query)
      throw new RedisUrlError(
        'a redis-cluster:// URL takes no path or query (a cluster has no db)',
      );
    return { kind: 'cluster', nodes: hosts, tls, ...auth };
  }
  if (!path || path.includes('/'))
    throw new RedisUrlError(
      'a redis-sentinel:// URL names the master after the hosts: redis-sentinel://s1:26379,s2:26379/mymaster',
    );
  return {
    kind: 'sentinel',
    sentinels: hosts,
    name: decodeURIComponent(path),
    tls,
    ...auth,
    ...sentinelQuery(query),
  };
}

function single(url: string): RedisTarget {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new RedisUrlError('not a valid URL');
  }
  if (!u.hostname) throw new RedisUrlError('no host');
  if (u.hostname.includes(','))
    throw new RedisUrlError('several hosts: use redis-cluster:// or redis-sentinel:// for those');
  return { kind: 'single', url };
}

function splitOnce(text: string, sep: string): [string, string] {
  const at = text.indexOf(sep);
  return at < 0 ? [text, ''] : [text.slice(0, at), text.slice(at + 1)];
}

function splitUser(text: string): { user: { username: string; password: string }; rest: string } {
  const at = text.lastIndexOf('@');
  if (at < 0) return { user: { username: '', password: '' }, rest: text };
  const [u = '', p = ''] = splitOnce(text.slice(0, at), ':');
  try {
    return {
      user: { username: decodeURIComponent(u), password: decodeURIComponent(p) },
      rest: text.slice(at + 1),
    };
  } catch {
    throw new RedisUrlError('user or password is not valid percent-encoding');
  }
}

function parseHosts(list: string): HostPort[] {
  if (!list) throw new RedisUrlError('no host: list host:port,host:port');
  return list.split(',').map((item) => {
    const m = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+):([0-9]{1,5})$/.exec(item.trim());
    const port = Number(m?.[2]);
    if (!m || port < 1 || port > 65_535)
      throw new RedisUrlError(`'${item}' is not host:port (every host needs its port)`);
    return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
  });
}

function sentinelQuery(query: string): {
  sentinelUsername?: string;
  sentinelPassword?: string;
  db: number;
} {
  const params = new URLSearchParams(query);
  for (const key of params.keys())
    if (!SENTINEL_QUERY.has(key))
      throw new RedisUrlError(
        `unknown parameter '${key}' (known: ${[...SENTINEL_QUERY].join(', ')})`,
      );
  const db = params.get('db') ?? '0';
  if (!/^[0-9]+$/.test(db)) throw new RedisUrlError(`db '${db}' is not a number`);
  const su = params.get('sentinelUsername');
  const sp = params.get('sentinelPassword');
  return {
    db: Number(db),
    ...(su && { sentinelUsername: su }),
    ...(sp && { sentinelPassword: sp }),
  };
}

/** `target` for messages: hosts and kind, never a password. */
export function describeTarget(target: RedisTarget): string {
  if (target.kind === 'single') {
    try {
      const u = new URL(target.url);
      if (u.password) u.password = '***';
      return u.toString();
    } catch {
      return '(unparsable Redis URL)';
    }
  }
  const hosts = (target.kind === 'cluster' ? target.nodes : target.sentinels)
    .map((h) => `${h.host}:${h.port}`)
    .join(',');
  return target.kind === 'cluster'
    ? `Redis Cluster ${hosts}`
    : `Redis Sentinel ${hosts} master '${target.name}'`;
}
