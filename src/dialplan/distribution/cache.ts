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
import { isVersion, type Manifest, parseManifest, type SnapshotFile, sha256 } from './snapshot.js';

const POINTER = 'current';
/** Beside the files, a dot file: the loader and the watcher pass over it. */
const MANIFEST = '.manifest.json';

export class SnapshotCache {
  constructor(readonly dir: string) {}

  path(version: string): string {
    return join(this.dir, version);
  }

  /** Writes the files as `<dir>/<version>/` (replacing a leftover of an earlier try). */
  async stage(manifest: Manifest, files: readonly SnapshotFile[]): Promise<string> {
    const { version } = manifest;
    if (!isVersion(version)) throw new Error(`not a dialplan version: ${version}`);
    await mkdir(this.dir, { recursive: true });
    const tmp = join(this.dir, `.${version}.${randomBytes(4).toString('hex')}.tmp`);
    await mkdir(tmp);
    try {
      for (const f of files) await writeFile(join(tmp, f.file), f.bytes);
      await writeFile(join(tmp, MANIFEST), JSON.stringify(manifest));
      await rm(this.path(version), { recursive: true, force: true });
      await rename(tmp, this.path(version));
    } catch (err) {
      await rm(tmp, { recursive: true, force: true });
      throw err;
    }
    return this.path(version);
  }

  /**
   * The files of a cached version by their hash, read from disk: a new version fetches from
   * Redis only the files that changed. Still checked against the hashes like fetched ones.
   */
  async blobs(version: string | undefined): Promise<Map<string, Buffer>> {
    const found = new Map<string, Buffer>();
    if (!version || !isVersion(version)) return found;
    const text = await readFile(join(this.path(version), MANIFEST), 'utf8').catch(() => null);
    const parsed = parseManifest(text, version);
    if (!parsed.ok) return found;
    for (const f of parsed.manifest.files) {
      const bytes = await readFile(join(this.path(version), f.file)).catch(() => undefined);
      // a file changed on this disk is fetched again, not held against the new version
      if (bytes && sha256(bytes) === f.sha256) found.set(f.sha256, bytes);
    }
    return found;
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
