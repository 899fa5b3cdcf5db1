/**
 * The dialplan side of the composition root: a files node (watcher, SIGHUP, and with
 * DIALPLAN_PUBLISH=on a publisher) or a redis node (a follower of the published snapshot). Both
 * serve through one Reloader; what differs is where its folder comes from.
 */

import type { Config } from '../../config/load.js';
import type { Logger } from '../../observability/logger.js';
import type { Metrics } from '../../observability/metrics.js';
import { watchRedis } from '../../observability/redis-peer.js';
import type { RedisClient } from '../../redis/connect.js';
import type { RouteTable } from '../../routing/route-table.js';
import { reportReload } from '../reload-report.js';
import { Reloader, type ReloadOutcome } from '../reloader.js';
import { watchDialplans } from '../watch.js';
import { SnapshotCache } from './cache.js';
import { followingReloader } from './follower.js';
import { dialplanKeys } from './keys.js';
import { SnapshotPublisher } from './publisher.js';
import { commandClient, connected, subscriberClient } from './redis.js';
import { SnapshotStore } from './store.js';

export type Dialplans = {
  readonly reloader: Reloader;
  /** For /readyz: the version served, where it comes from, and how its distribution goes. */
  checks(): Record<string, string>;
  /** SIGHUP: read the folder again (files), or look at Redis again (redis). */
  reload(): void;
  close(): void;
};

type Deps = {
  config: Config;
  nodeId: string;
  logger: Logger;
  metrics: Metrics;
  /** Every successful load, whatever its source (the admin API's version history). */
  onLoaded?: (outcome: ReloadOutcome & { ok: true }, table: RouteTable) => void;
};

/** How long a start waits for Redis before it goes on without (publish later, cached snapshot). */
const CONNECT_WAIT_MS = 3000;

export function startDialplans(deps: Deps): Promise<Dialplans> {
  return deps.config.distribution.source === 'redis' ? startFollower(deps) : startFiles(deps);
}

function newReloader(
  { config, logger, metrics, onLoaded: observe }: Deps,
  dir: string | (() => string),
  onLoaded?: (outcome: ReloadOutcome & { ok: true }) => void,
): Reloader {
  return new Reloader({
    dir,
    defaultCountry: config.defaultCountry,
    workerThresholdBytes: config.reload.workerThresholdBytes,
    now: () => new Date(),
    onOutcome: (outcome, table) => {
      reportReload(logger, metrics, outcome, table);
      if (!outcome.ok) return;
      onLoaded?.(outcome);
      observe?.(outcome, table);
    },
  });
}

const versionOf = (reloader: Reloader) => (reloader.loaded ? reloader.table.info.version : 'none');

async function startFiles(deps: Deps): Promise<Dialplans> {
  const { config, logger } = deps;
  const publishing = config.distribution.publish === 'on' ? await openPublisher(deps) : undefined;
  const reloader = newReloader(
    deps,
    config.dialplanDir,
    (o) => void publishing?.publisher.offer(o.dir, o.version),
  );
  const first = await reloader.reload();
  if (!first.ok)
    logger.warn(
      { dir: config.dialplanDir },
      'no valid dialplans yet: not ready until a valid set is loaded',
    );
  const watcher = watchDialplans(
    config.dialplanDir,
    config.reload.debounceMs,
    () => void reloader.reload(),
  );
  return {
    reloader,
    checks: () => ({
      dialplanVersion: versionOf(reloader),
      dialplanSource: 'files',
      ...(publishing && { dialplanPublish: publishing.publisher.state }),
    }),
    // and, publishing, put the loaded version back in Redis should it name another
    reload: () => void reloader.reload().then(() => publishing?.publisher.check()),
    close: () => {
      watcher.close();
      publishing?.close();
    },
  };
}

/**
 * A missing Redis is said once per process, with what to set: by the record writer's client when
 * records go to Redis (RECORD_SINK=redis), else by this one.
 */
function watchSharedRedis(redis: RedisClient, { config, logger }: Deps, meanwhile: string): void {
  if (config.recordSink === 'redis') return;
  watchRedis(redis, {
    url: config.redisUrl,
    remedy: `set REDIS_URL to the Redis the gateways share dialplans through; ${meanwhile}`,
    reminderMs: config.peerReminderSeconds * 1000,
    logger,
  });
}

async function openPublisher(deps: Deps) {
  const { config, nodeId, logger, metrics } = deps;
  const redis = commandClient(config.redisUrl);
  watchSharedRedis(
    redis,
    deps,
    'meanwhile this node serves its folder and publishes it once Redis answers',
  );
  const publisher = new SnapshotPublisher({
    store: new SnapshotStore(redis, dialplanKeys()),
    node: nodeId,
    logger: logger.child({ component: 'dialplan-publish' }),
    now: () => new Date(),
    onResult: (result) => metrics.snapshotPublishes.inc({ result }),
  });
  await connected(redis, CONNECT_WAIT_MS);
  // Redis back (maybe restarted empty): publish the loaded version again; the poll catches the rest
  redis.on('ready', () => void publisher.check(true));
  const poll = setInterval(() => void publisher.check(), config.distribution.pollMs);
  poll.unref();
  return {
    publisher,
    close: () => {
      clearInterval(poll);
      redis.disconnect();
    },
  };
}

async function startFollower(deps: Deps): Promise<Dialplans> {
  const { config, logger, metrics } = deps;
  const redis = commandClient(config.redisUrl);
  watchSharedRedis(
    redis,
    deps,
    'meanwhile the routes in force, or the cached snapshot, keep answering',
  );
  const subscriber = subscriberClient(config.redisUrl);
  const keys = dialplanKeys();
  const { reloader, follower, served } = followingReloader(
    {
      store: new SnapshotStore(redis, keys),
      cache: new SnapshotCache(config.distribution.cacheDir),
      logger: logger.child({ component: 'dialplan-follow' }),
      onRefused: (reason) => metrics.snapshotsRefused.inc({ reason }),
    },
    (dir) => newReloader(deps, dir),
  );
  const up = await connected(redis, CONNECT_WAIT_MS);
  // without Redis this fails at once and says so in the follow state
  await follower.follow('start');
  if (!served()) await follower.loadCached();
  redis.on('ready', () => void follower.follow('reconnect'));
  subscriber.on('ready', () => void follower.follow('reconnect'));
  subscriber.on('message', (_channel: string, version: string) => {
    if (version !== served()) void follower.follow('notification');
  });
  subscriber.subscribe(keys.channel).catch(() => undefined);
  // Redis came up while the start went on without it
  if (!up && redis.status === 'ready') void follower.follow('reconnect');
  const poll = setInterval(() => void follower.follow('poll'), config.distribution.pollMs);
  poll.unref();
  return {
    reloader,
    checks: () => ({
      dialplanVersion: versionOf(reloader),
      dialplanSource: 'redis',
      dialplanFollow: follower.state,
    }),
    reload: () => void follower.follow('SIGHUP'),
    close: () => {
      clearInterval(poll);
      subscriber.disconnect();
      redis.disconnect();
    },
  };
}
