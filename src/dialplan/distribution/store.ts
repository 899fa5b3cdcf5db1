/**
 * The Redis side of dialplan distribution (layout in keys.ts). Publishing uploads the blobs
 * Redis lacks, then moves manifest, pointer and history and notifies in one script (all keys in
 * KEYS, one slot), then collects what fell off the history. Reading is the followers' three steps.
 */
import type { RedisClient } from '../../redis/connect.js';
import { type DialplanKeys, HISTORY_LENGTH } from './keys.js';
import { type Manifest, parseManifest, type SnapshotFile, sha256 } from './snapshot.js';

/** Manifest, pointer, history and notification together: a follower never sees half a publish. */
const PUBLISH = `
redis.call('SET', KEYS[1], ARGV[2])
redis.call('SET', KEYS[2], ARGV[1])
if redis.call('LINDEX', KEYS[3], 0) ~= ARGV[1] then
  redis.call('LREM', KEYS[3], 0, ARGV[1])
  redis.call('LPUSH', KEYS[3], ARGV[1])
end
local cap = tonumber(ARGV[3])
local dropped = redis.call('LRANGE', KEYS[3], cap, -1)
redis.call('LTRIM', KEYS[3], 0, cap - 1)
redis.call('PUBLISH', ARGV[4], ARGV[1])
return dropped
`;

export type PublishResult = { uploaded: number; collected: number };

export class SnapshotStore {
  constructor(
    readonly redis: RedisClient,
    readonly keys: DialplanKeys,
    readonly historyLength = HISTORY_LENGTH,
  ) {}

  async publish(manifest: Manifest, files: readonly SnapshotFile[]): Promise<PublishResult> {
    const { redis, keys } = this;
    const bySha = new Map(files.map((f) => [sha256(f.bytes), f.bytes]));
    const shas = [...bySha.keys()];
    // one round trip for the question; the bytes go only where Redis lacks them
    const exists = await Promise.all(shas.map((s) => redis.exists(keys.blob(s))));
    const missing = shas.filter((_, i) => exists[i] === 0);
    await Promise.all(missing.map((s) => redis.set(keys.blob(s), bySha.get(s)!)));
    const dropped = (await redis.eval(
      PUBLISH,
      3,
      keys.manifest(manifest.version),
      keys.current,
      keys.history,
      manifest.version,
      JSON.stringify(manifest),
      String(this.historyLength),
      keys.channel,
    )) as string[];
    return { uploaded: missing.length, collected: await this.#collect(dropped) };
  }

  /** Versions off the history lose their manifest, and blobs no kept version uses. */
  async #collect(dropped: readonly string[]): Promise<number> {
    const { redis, keys } = this;
    const kept = await this.history();
    const gone = dropped.filter((v) => !kept.includes(v));
    if (gone.length === 0) return 0;
    const used = new Set<string>();
    for (const m of await this.#manifests(kept)) for (const f of m.files) used.add(f.sha256);
    const unused = new Set<string>();
    for (const m of await this.#manifests(gone))
      for (const f of m.files) if (!used.has(f.sha256)) unused.add(f.sha256);
    await redis.del(...gone.map(keys.manifest), ...[...unused].map(keys.blob));
    return unused.size;
  }

  async #manifests(versions: readonly string[]): Promise<Manifest[]> {
    const texts = await Promise.all(versions.map((v) => this.redis.get(this.keys.manifest(v))));
    return texts.flatMap((text, i) => {
      const parsed = parseManifest(text, versions[i]!);
      return parsed.ok ? [parsed.manifest] : [];
    });
  }

  current(): Promise<string | null> {
    return this.redis.get(this.keys.current);
  }

  manifest(version: string): Promise<string | null> {
    return this.redis.get(this.keys.manifest(version));
  }

  /** Blobs in the order asked, `null` for one Redis lacks. */
  async blobs(shas: readonly string[]): Promise<(Buffer | null)[]> {
    if (shas.length === 0) return [];
    return this.redis.mgetBuffer(...shas.map(this.keys.blob));
  }

  history(): Promise<string[]> {
    return this.redis.lrange(this.keys.history, 0, -1);
  }
}
