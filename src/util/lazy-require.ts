/**
 * A CommonJS module loaded at its first use instead of at start, still synchronously. For the
 * packages only some deployments use (public holidays, voicemail mail, FreeSWITCH, the pretty
 * log): ~14 MB of live heap loaded for nothing otherwise, and every major GC marks the whole
 * live heap, so a gateway paid for them in CPU on every call (issue 16).
 */
import { createRequire } from 'node:module';

/** `make()`'s value, made at the first call and kept. */
export function lazy<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => {
    made ??= { value: make() };
    return made.value;
  };
}

/** `id` resolved as `require` would from the file (or URL) `from`. */
export function lazyRequire<T>(from: string, id: string): () => T {
  return lazy(() => createRequire(from)(id) as T);
}
