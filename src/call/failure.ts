/**
 * What a dealer leg's final status means for failover, and which status tells the caller why
 * every destination failed.
 */
import type { DialFailure } from './ports.js';

/** Busy (486/600) and no answer (408/480, ring timeout) move on like failures (5xx, 404/410). */
export function causeOf(status: number): DialFailure {
  if (status === 486 || status === 600) return 'busy';
  if (status === 408 || status === 480 || status === 487) return 'no-answer';
  if (status >= 500 || status === 404 || status === 410) return 'unreachable';
  if (status === 401 || status === 407) return 'auth-failed';
  return 'rejected';
}

export type FinalAnswer = {
  status: number;
  outcome: 'busy' | 'no-answer' | 'unreachable' | 'failed';
};

const MISSED: ReadonlySet<DialFailure> = new Set(['busy', 'no-answer', 'declined']);

/**
 * 486 when every destination was busy; 480 when nobody answered (busy, rang out, or hung up
 * during the whisper); 503 `unreachable` when no destination could be reached at all (a dead
 * trunk is not a missed call); otherwise 502.
 */
export function finalAnswer(causes: readonly DialFailure[]): FinalAnswer {
  if (causes.length > 0 && causes.every((c) => c === 'busy'))
    return { status: 486, outcome: 'busy' };
  if (causes.length > 0 && causes.every((c) => MISSED.has(c)))
    return { status: 480, outcome: 'no-answer' };
  if (causes.length > 0 && causes.every((c) => c === 'unreachable'))
    return { status: 503, outcome: 'unreachable' };
  if (causes.length === 0) return { status: 503, outcome: 'failed' };
  return { status: 502, outcome: 'failed' };
}
