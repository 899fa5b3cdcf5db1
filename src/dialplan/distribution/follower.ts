/**
 * A gateway with DIALPLAN_SOURCE=redis: serves the version `current` names, fetched, verified
 * against its hashes, staged on disk and compiled HERE through the reloader like any dialplan
 * folder. Nothing the publisher says is trusted: a snapshot that fails a check or does not compile
 * is refused and the routes in force keep answering. Without Redis it serves the last good
 * snapshot from disk. Follows never overlap; a notification only says "look now".
 */
import type { Logger } from '../../observability/logger.js';
import { coalesced } from '../../util/coalesce.js';
import type { Reloader, ReloadOutcome } from '../reloader.js';
import type { SnapshotCache } from './cache.js';
import { type Manifest, parseManifest, type RefusalReason, verifySnapshot } from './snapshot.js';
import type { SnapshotStore } from './store.js';

export type FollowerDeps = {
  store: SnapshotStore;
  cache: SnapshotCache;
  /** Compiles the folder through the reloader and swaps the table when it is valid. */
  load: (dir: string) => Promise<ReloadOutcome>;
  /** The version answering calls now, if any. */
  served: () => string | undefined;
  logger: Logger;
  onRefused: (reason: RefusalReason) => void;
};

/** `follow failed`: Redis answers, the rest did not (the local disk, a command timeout): see the log. */
export type FollowState =
  | 'following'
  | 'redis unreachable'
  | 'nothing published yet'
  | 'follow failed';

export class SnapshotFollower {
  readonly #deps: FollowerDeps;
  /** A version refused once is not fetched again until `current` moves (or SIGHUP). */
  #refused: string | undefined;
  #state: FollowState = 'following';
  #cause = 'start';
  readonly #follow = coalesced(() => this.#run());

  constructor(deps: FollowerDeps) {
    this.#deps = deps;
  }

  get state(): FollowState {
    return this.#state;
  }

  /** Fetches and serves what `current` names, when it is not served already. Never throws. */
  follow(cause: string): Promise<void> {
    this.#cause = cause;
    if (cause === 'SIGHUP') this.#refused = undefined;
    return this.#follow();
  }

  /** Start without Redis (or nothing published): the last snapshot that compiled here. */
  async loadCached(): Promise<boolean> {
    const { cache, load, logger } = this.#deps;
    const version = await cache.current();
    if (!version) {
      logger.warn(
        { cacheDir: cache.dir },
        'no cached dialplan snapshot: not ready until Redis has one',
      );
      return false;
    }
    const outcome = await load(cache.path(version));
    if (outcome.ok)
      logger.warn({ version, cacheDir: cache.dir }, 'serving the cached dialplan snapshot');
    return outcome.ok;
  }

  async #run(): Promise<void> {
    const cause = this.#cause;
    try {
      await this.#fetchAndLoad(cause);
    } catch (err) {
      const state =
        this.#deps.store.redis.status === 'ready' ? 'follow failed' : 'redis unreachable';
      // once per outage, not at every poll
      if (this.#state !== state)
        this.#deps.logger.warn(
          {
            err: (err as Error).message,
            servedVersion: this.#deps.served() ?? 'none',
            cause,
            state,
          },
          'dialplan follow failed; the routes in force keep answering',
        );
      this.#state = state;
    }
  }

  async #fetchAndLoad(cause: string): Promise<void> {
    const { store, cache, load, served, logger } = this.#deps;
    const started = performance.now();
    const version = await store.current();
    this.#state = version ? 'following' : 'nothing published yet';
    if (!version || version === served() || version === this.#refused) return;
    const parsed = parseManifest(await store.manifest(version), version);
    if (!parsed.ok) return this.#refuse(version, parsed.reason, parsed.detail);
    const { blobs, fetched } = await this.#blobs(parsed.manifest);
    const verified = verifySnapshot(parsed.manifest, blobs);
    // a blob missing may be a publish collected under our feet: try again next time
    if (!verified.ok)
      return this.#refuse(version, verified.reason, verified.detail, verified.reason !== 'missing');
    const outcome = await load(await cache.stage(parsed.manifest, verified.files));
    if (!outcome.ok) {
      await cache.discard(version);
      // the reloader logged every error with its file:line:col
      return this.#refuse(version, 'invalid', `${outcome.errors.length} dialplan errors`);
    }
    await cache.commit(version);
    logger.info(
      {
        version,
        from: parsed.manifest.node,
        publishedAt: parsed.manifest.publishedAt,
        files: verified.files.length,
        fetched,
        cause,
        ms: Math.round(performance.now() - started),
      },
      'dialplan snapshot followed',
    );
  }

  /** The manifest's files, from the snapshot served here where it has them, else from Redis. */
  async #blobs(manifest: Manifest): Promise<{ blobs: (Buffer | null)[]; fetched: number }> {
    const local = await this.#deps.cache.blobs(this.#deps.served());
    const wanted = manifest.files.map((f) => f.sha256).filter((sha) => !local.has(sha));
    const remote = await this.#deps.store.blobs(wanted);
    const fetched = new Map(wanted.map((sha, i) => [sha, remote[i] ?? null]));
    const blobs = manifest.files.map((f) => local.get(f.sha256) ?? fetched.get(f.sha256) ?? null);
    return { blobs, fetched: wanted.length };
  }

  #refuse(version: string, reason: RefusalReason, detail: string, remember = true): void {
    if (remember) this.#refused = version;
    this.#deps.onRefused(reason);
    this.#deps.logger.error(
      { version, reason, detail, servedVersion: this.#deps.served() ?? 'none' },
      'dialplan snapshot refused; the routes in force keep answering',
    );
  }
}

/**
 * A follower and the reloader it feeds, made together: the reloader compiles whichever folder the
 * follower staged last (a fetched snapshot or the cache), and the follower asks it what it serves.
 */
export function followingReloader(
  deps: Omit<FollowerDeps, 'load' | 'served'>,
  reloaderFor: (dir: () => string) => Reloader,
): { reloader: Reloader; follower: SnapshotFollower; served: () => string | undefined } {
  let next = deps.cache.dir;
  const reloader = reloaderFor(() => next);
  const served = () => (reloader.loaded ? reloader.table.info.version : undefined);
  const follower = new SnapshotFollower({
    ...deps,
    load: (dir) => {
      next = dir;
      return reloader.reload();
    },
    served,
  });
  return { reloader, follower, served };
}
