/**
 * Real Redis Clusters and Sentinel sets on loopback for tests: redis-server processes on free
 * ports, each in its own temp directory, no persistence (a node killed and started again comes
 * back empty and syncs from its master, as a replaced box would). Every process is killed in the
 * test's teardown. Missing binaries fail the test naming the Debian package.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import type { Test } from 'tap';
import { requireBinary } from './binaries.js';
import { loopbackRedisArgs, redisProcess } from './redis-process.js';
import { waitFor } from './wait.js';

const run = promisify(execFile);

export type RedisNode = {
  readonly port: number;
  /** SIGKILL: no shutdown, no last words to the replicas. */
  kill(): Promise<void>;
  /**
   * Starts it again on the same port and directory (a cluster node keeps its nodes.conf), with
   * `extraArgs` after its own (e.g. `--replicaof`).
   */
  start(extraArgs?: readonly string[]): Promise<void>;
};

/** One redis-server (or Sentinel, `sentinel`: a config file of its own) torn down with `t`. */
async function redisNode(
  t: Test,
  args: (port: number, dir: string, more: readonly number[]) => string[],
  morePorts = 0,
): Promise<RedisNode> {
  const { port, start, stop } = await redisProcess(t, args, 'SIGKILL', morePorts);
  return { port, start, kill: stop };
}

/** A data node: loopback, no persistence, and `more` options. */
const dataNode = (port: number, dir: string, ...more: string[]) => [
  ...loopbackRedisArgs(port, dir),
  '--protected-mode',
  'no',
  // a node back after a kill syncs at once, not after the 5 s default wait for more replicas
  '--repl-diskless-sync-delay',
  '0',
  ...more,
];

export type RedisCluster = {
  readonly nodes: readonly RedisNode[];
  /** `redis-cluster://` with every node as a seed. */
  readonly url: string;
  /** The node that is master of `slot` now (asked of a live node). */
  masterOf(slot: number): Promise<RedisNode>;
  /** Until every live node reports cluster_state:ok and `slot`'s master is not `old`. */
  waitHealthy(old?: RedisNode, slot?: number): Promise<void>;
};

/** An ACL file for every node, and the user that replicates, creates and inspects the cluster. */
export type ClusterAcl = { file: string; user: string; password: string };

/** `masters` masters with one replica each, made with `redis-cli --cluster create`. */
export async function startRedisCluster(
  t: Test,
  masters = 3,
  acl?: ClusterAcl,
): Promise<RedisCluster> {
  const cli = requireBinary('redis-cli', 'redis-tools');
  const aclArgs = acl
    ? ['--aclfile', acl.file, '--masteruser', acl.user, '--masterauth', acl.password]
    : [];
  const cliAuth = acl ? ['--user', acl.user, '--pass', acl.password, '--no-auth-warning'] : [];
  const nodes: RedisNode[] = [];
  for (let i = 0; i < masters * 2; i++) {
    // the cluster bus gets its own free port: port + 10000 may be past 65535 or taken
    nodes.push(
      await redisNode(
        t,
        (port, dir, [bus]) =>
          dataNode(
            port,
            dir,
            '--cluster-enabled',
            'yes',
            '--cluster-port',
            String(bus),
            '--cluster-config-file',
            join(dir, 'nodes.conf'),
            '--cluster-node-timeout',
            '1000',
            ...aclArgs,
          ),
        1,
      ),
    );
  }
  const hosts = nodes.map((n) => `127.0.0.1:${n.port}`);
  await run(cli, [
    ...cliAuth,
    '--cluster',
    'create',
    ...hosts,
    '--cluster-replicas',
    '1',
    '--cluster-yes',
  ]);
  const ask = async <T>(work: (r: Redis) => Promise<T>, node: RedisNode): Promise<T> => {
    const r = new Redis(node.port, '127.0.0.1', {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      ...(acl && { username: acl.user, password: acl.password }),
    });
    r.on('error', () => undefined);
    try {
      await r.connect();
      return await work(r);
    } finally {
      r.disconnect();
    }
  };
  const slotMaster = async (slot: number): Promise<number | undefined> => {
    for (const node of nodes) {
      const slots = await ask((r) => r.cluster('SLOTS'), node).catch(() => undefined);
      const range = (slots as [number, number, [string, number]][] | undefined)?.find(
        ([from, to]) => from <= slot && slot <= to,
      );
      if (range) return range[2][1];
    }
    return undefined;
  };
  const waitHealthy = async (old?: RedisNode, slot = 0) => {
    await waitFor(
      async () => {
        const states = await Promise.all(
          nodes.map((n) =>
            ask((r) => r.cluster('INFO'), n).then(
              (info) => /cluster_state:ok/.test(String(info)),
              () => n === old, // the killed node does not answer
            ),
          ),
        );
        if (!states.every(Boolean)) return undefined;
        const master = await slotMaster(slot);
        return master !== undefined && master !== old?.port ? true : undefined;
      },
      30_000,
      'cluster_state:ok on every node',
    );
  };
  await waitHealthy();
  // cluster_state:ok comes before the replicas have synced; a WAIT before then counts none
  await waitFor(
    async () => {
      const infos = await Promise.all(nodes.map((n) => ask((r) => r.info('replication'), n)));
      const online = infos.map((i) => (i.match(/state=online/g) ?? []).length);
      return online.reduce((a, b) => a + b, 0) >= masters || undefined;
    },
    30_000,
    'every master to have its replica in sync',
  );
  return {
    nodes,
    url: `redis-cluster://${hosts.join(',')}`,
    masterOf: async (slot) => {
      const port = await slotMaster(slot);
      const node = nodes.find((n) => n.port === port);
      if (!node) throw new Error(`no master for slot ${slot}`);
      return node;
    },
    waitHealthy,
  };
}

export type SentinelSet = {
  readonly master: RedisNode;
  readonly replica: RedisNode;
  readonly sentinel: RedisNode;
  readonly name: string;
  /** `redis-sentinel://127.0.0.1:<sentinel>/<name>` */
  readonly url: string;
  /** The address the Sentinel names as master now. */
  masterPort(): Promise<number>;
};

/**
 * One master, one replica, one Sentinel (quorum 1, down after 3 s: a Redis on a loaded test host
 * can miss a 1 s deadline, and a needless second failover is not what a test is about).
 */
export async function startSentinelSet(t: Test): Promise<SentinelSet> {
  const name = 'calltrack-test';
  const master = await redisNode(t, (port, dir) => dataNode(port, dir));
  const replica = await redisNode(t, (port, dir) =>
    dataNode(port, dir, '--replicaof', '127.0.0.1', String(master.port)),
  );
  const sentinel = await redisNode(t, (port, dir) => {
    const conf = join(dir, 'sentinel.conf');
    writeFileSync(
      conf,
      [
        `port ${port}`,
        'bind 127.0.0.1',
        `dir ${dir}`,
        `sentinel monitor ${name} 127.0.0.1 ${master.port} 1`,
        `sentinel down-after-milliseconds ${name} 3000`,
        `sentinel failover-timeout ${name} 5000`,
        '',
      ].join('\n'),
    );
    return [conf, '--sentinel'];
  });
  const masterPort = async () => {
    const r = new Redis(sentinel.port, '127.0.0.1', { maxRetriesPerRequest: 0 });
    try {
      const [, port] = (await r.call('SENTINEL', 'get-master-addr-by-name', name)) as string[];
      return Number(port);
    } finally {
      r.disconnect();
    }
  };
  // the replica must have synced before a failover can promote it
  await waitFor(
    async () => {
      const r = new Redis(master.port, '127.0.0.1', { maxRetriesPerRequest: 0 });
      try {
        return /slave0:.*state=online/.test(await r.info('replication')) || undefined;
      } finally {
        r.disconnect();
      }
    },
    15_000,
    'the replica to be in sync',
  );
  return {
    master,
    replica,
    sentinel,
    name,
    url: `redis-sentinel://127.0.0.1:${sentinel.port}/${name}`,
    masterPort,
  };
}
