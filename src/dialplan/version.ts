/**
 * A dialplan set's version: a content hash of its file names and texts in load order. The loader
 * computes it while compiling; a follower computes it over a snapshot's files before compiling,
 * so a manifest that names one version and carries the files of another is caught.
 */
import { createHash, type Hash } from 'node:crypto';

export class SetVersion {
  readonly #hash: Hash = createHash('sha256');

  /** `text` may come as its UTF-8 bytes: they hash as the decoded text does. */
  add(file: string, text: string | Uint8Array): this {
    this.#hash.update(file).update('\0').update(text).update('\0');
    return this;
  }

  /** Ends the hash: call once. */
  digest(): string {
    return this.#hash.digest('hex').slice(0, 16);
  }
}

/** The version of files as the loader reads them: sorted by name. */
export function versionOf(sources: readonly { file: string; text: string }[]): string {
  const v = new SetVersion();
  for (const s of [...sources].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0)))
    v.add(s.file, s.text);
  return v.digest();
}
