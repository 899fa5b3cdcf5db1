/**
 * A follower's snapshots on local disk: each version a dialplan folder `<dir>/<version>/`, and
 * `<dir>/current` naming the last one that compiled here. A start without Redis loads that one.
 * A version is staged in a temp folder and renamed into place; the pointer is replaced
 * atomically only after the reloader took the folder; older folders are pruned then.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeAtomically } from '../../files/write-atomically.js';
import { isVersion, type SnapshotFile } from './snapshot.js';

const POINTER = 'current';

export class SnapshotCache {
  constructor(readonly dir: string) {}

  path(version: string): string {
    return join(this.dir, version);
  }

  /** Writes the files as `<dir>/<version>/` (replacing a leftover of an earlier try). */
  async stage(version: string, files: readonly SnapshotFile[]): Promise<string> {
    if (!isVersion(version)) throw new Error(`not a dialplan version: ${version}`);
    await mkdir(this.dir, { recursive: true });
    const tmp = join(this.dir, `.${version}.${randomBytes(4).toString('hex')}.tmp`);
    await mkdir(tmp);
    try {
      for (const f of files) await writeFile(join(tmp, f.file), f.bytes);
      await rm(this.path(version), { recursive: true, force: true });
      await rename(tmp, this.path(version));
    } catch (err) {
      await rm(tmp, { recursive: true, force: true });
      throw err;
    }
    return this.path(version);
  }

  /** The version that compiled here last, if its folder is still there. */
  async current(): Promise<string | undefined> {
    const text = await readFile(join(this.dir, POINTER), 'utf8').catch(() => '');
    const version = text.trim();
    if (!isVersion(version)) return undefined;
    const folder = await stat(this.path(version)).catch(() => undefined);
    return folder?.isDirectory() ? version : undefined;
  }

  /** `version` compiled: it is the one to start with from now on; the others go. */
  async commit(version: string): Promise<void> {
    await writeAtomically(join(this.dir, POINTER), `${version}\n`);
    for (const name of await readdir(this.dir)) {
      if (name === POINTER || name === version) continue;
      await rm(join(this.dir, name), { recursive: true, force: true });
    }
  }

  /** A staged version that was refused: gone, unless it is the one in force. */
  async discard(version: string): Promise<void> {
    if ((await this.current()) === version) return;
    await rm(this.path(version), { recursive: true, force: true });
  }
}
