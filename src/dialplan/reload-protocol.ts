/** Messages from the reload worker to the thread that owns the route table. */
import type { IndexBuffers } from '../routing/number-index.js';
import type { DialplanError } from './errors.js';
import type { SetSummary } from './set-builder.js';

/**
 * `acks` counts the chunks the receiver has taken in. The worker keeps at most WINDOW chunks
 * unacknowledged: Node hands every queued message to the receiver in one go, so a backlog would
 * become one long pause of the receiver's event loop.
 */
export type WorkerInput = { dir: string; now: number; acks: SharedArrayBuffer };

export type WorkerMessage =
  /**
   * Decisions arrive in slices while the worker reads on, as JSON text: V8 parses JSON several
   * times faster than it deserialises the same objects from a structured clone.
   */
  | { type: 'chunk'; json: string }
  /** The number index is built in the worker and its buffers are transferred, not copied. */
  | { type: 'done'; summary: SetSummary; index: IndexBuffers }
  | { type: 'failed'; errors: DialplanError[] };

export const CHUNK_SIZE = 1000;
export const WINDOW = 2;
