/**
 * A files node with DIALPLAN_PUBLISH=on: every version it loads (an API write, a hand edit,
 * SIGHUP) is published for the followers. The files are read again and published only if they
 * still hash to the version loaded: otherwise a newer load is on its way and publishes instead.
 * Redis away: the version waits and goes out on reconnect or at the next poll.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../observability/logger.js';
import { coalesced } from '../../util/coalesce.js';
import { listDialplanFiles } from '../load.js';
import { versionOf } from '../version.js';
import { manifestOf, type SnapshotFile } from './snapshot.js';
import type { SnapshotStore } from './store.js';

export type PublishResult = 'published' | 'failed' | 'skipped';

export type PublisherDeps = {
  store: SnapshotStore;
  node: string;
  logger: Logger;
  now: () => Date;
  onResult: (result: PublishResult) => void;
};

export class SnapshotPublisher {
  readonly #deps: PublisherDeps;
  #wanted: { dir: string; version: string } | undefined;
  #published: string | undefined;
  readonly #publish = coalesced(() => this.#run());

  constructor(deps: PublisherDeps) {
    this.#deps = deps;
  }

  /** 'published', or what keeps the loaded version from the followers. */
  get state(): string {
    if (!this.#wanted) return 'nothing loaded';
    return this.#published === this.#wanted.version ? 'published' : 'pending';
  }

  /** The reloader loaded `version` from `dir`. */
  offer(dir: string, version: string): Promise<void> {
    this.#wanted = { dir, version };
    return this.#publish();
  }

  /**
   * Publishes again when Redis does not name the loaded version (it lost its data, or a
   * publish failed); `force` after a reconnect, when Redis may have restarted empty.
   */
  async check(force = false): Promise<void> {
    const wanted = this.#wanted;
    if (!wanted) return;
    if (!force && this.#published === wanted.version) {
      const current = await this.#deps.store.current().catch(() => undefined);
      if (current === undefined || current === wanted.version) return;
    }
    this.#published = undefined;
    return this.#publish();
  }

  async #run(): Promise<void> {
    const wanted = this.#wanted;
    if (!wanted || this.#published === wanted.version) return;
    const { store, node, logger, now, onResult } = this.#deps;
    try {
      const files = await readFiles(wanted.dir);
      const onDisk = versionOf(
        files.map((f) => ({ file: f.file, text: f.bytes.toString('utf8') })),
      );
      if (onDisk !== wanted.version) {
        logger.info(
          { version: wanted.version, diskVersion: onDisk },
          'dialplan not published: the files changed since the load; the next load publishes',
        );
        onResult('skipped');
        return;
      }
      const started = performance.now();
      const manifest = manifestOf(wanted.version, files, node, now());
      const { uploaded, collected } = await store.publish(manifest, files);
      this.#published = wanted.version;
      onResult('published');
      logger.info(
        {
          version: wanted.version,
          files: files.length,
          uploaded,
          collected,
          ms: Math.round(performance.now() - started),
        },
        'dialplan published',
      );
    } catch (err) {
      onResult('failed');
      logger.warn(
        { err: (err as Error).message, version: wanted.version },
        'dialplan publish failed; retried when Redis is back',
      );
    }
  }
}

async function readFiles(dir: string): Promise<SnapshotFile[]> {
  const names = await listDialplanFiles(dir);
  return Promise.all(names.map(async (file) => ({ file, bytes: await readFile(join(dir, file)) })));
}
