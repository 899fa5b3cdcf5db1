/**
 * Where a published dialplan lives in Redis. Every key carries the `{dialplan}` hash tag, so all
 * of them sit in one Redis Cluster slot and the publish script may name them together.
 *
 *   <prefix>:blob:<sha256>     a file's bytes, stored once however many versions use it
 *   <prefix>:manifest:<ver>    JSON { version, files: [{ file, sha256 }], publishedAt, node }
 *   <prefix>:current           the version every gateway should serve
 *   <prefix>:history           the latest versions, newest first (capped; older ones collected)
 *   <prefix>:published         pub/sub channel: the version, after `current` moved to it
 */
export const KEY_PREFIX = 'calltrack:{dialplan}';
export const HISTORY_LENGTH = 20;

export type DialplanKeys = {
  blob(sha256: string): string;
  manifest(version: string): string;
  readonly current: string;
  readonly history: string;
  readonly channel: string;
};

export function dialplanKeys(prefix = KEY_PREFIX): DialplanKeys {
  return {
    blob: (sha256) => `${prefix}:blob:${sha256}`,
    manifest: (version) => `${prefix}:manifest:${version}`,
    current: `${prefix}:current`,
    history: `${prefix}:history`,
    channel: `${prefix}:published`,
  };
}
