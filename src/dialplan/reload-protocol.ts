/** Messages between the thread that owns the route table and a reload worker. */
import type { IndexBuffers } from '../routing/number-index.js';
import type { DialplanError } from './errors.js';
import type { SetSummary } from './set-builder.js';
import type { CacheSnapshot } from './set-cache.js';

/**
 * One compile of `dir`. `acks` counts the chunks the receiver has taken in. The worker keeps at
 * most WINDOW chunks unacknowledged: Node hands every queued message to the receiver in one go,
 * so a backlog would become one long pause of the receiver's event loop. `cache`: the facts of
 * each file from the previous compile (its typed arrays transferred, not copied); `held`: file →
 * key of the decisions the receiver keeps from earlier compiles. Only files in both may be
 * answered `reused`.
 */
export type WorkerInput = {
  dir: string;
  now: number;
  acks: SharedArrayBuffer;
  held: Record<string, string>;
  cache: CacheSnapshot;
  /** Texts in place of (or beside) the folder's files: a change checked before it is written. */
  changed?: Record<string, string>;
};

export type WorkerMessage =
  /**
   * Decisions of the file being read, in slices while the worker reads on, as JSON text: V8
   * parses JSON several times faster than it deserialises the same objects from a structured
   * clone.
   */
  | { type: 'chunk'; json: string }
  /**
   * A file is done: `reused`, its decisions are those the receiver holds under `key` (the file
   * was not read again); otherwise they are the chunks since the previous `file`.
   */
  | { type: 'file'; file: string; key: string; reused: boolean }
  /** The facts of this compile's files, for the next compile; sent before `done` or `failed`. */
  | { type: 'cache'; cache: CacheSnapshot }
  /** The number index is built in the worker and its buffers are transferred, not copied. */
  | { type: 'done'; summary: SetSummary; index: IndexBuffers }
  | { type: 'failed'; errors: DialplanError[] };

export const CHUNK_SIZE = 1000;
export const WINDOW = 2;
