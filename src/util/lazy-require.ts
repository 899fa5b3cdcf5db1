/**
 * A CommonJS module loaded at its first use instead of at start, still synchronously. For the
 * packages only some deployments use (public holidays, voicemail mail, FreeSWITCH, the pretty
 * log): ~14 MB of live heap loaded for nothing otherwise, and every major GC marks the whole
 * live heap, so a gateway paid for them in CPU on every call (issue 16).
 */
import { createRequire } from 'node:module';

/** `id` resolved as `require` would from the file (or URL) `from`. */
export function lazyRequire<T>(from: string, id: string): () => T {
  let loaded: T | undefined;
  return () => {
    loaded ??= createRequire(from)(id) as T;
    return loaded;
  };
}
