/**
 * What a dealer leg's final status means for failover, and which answer tells the caller why
 * every destination failed.
 */
import type { DialFailure } from './ports.js';
import type { Attempt } from './record.js';

/** Busy (486/600) and no answer (408/480, ring timeout) move on like failures (5xx, 404/410). */
export function causeOf(status: number): DialFailure {
  if (status === 486 || status === 600) return 'busy';
  if (status === 408 || status === 480 || status === 487) return 'no-answer';
  if (status >= 500 || status === 404 || status === 410) return 'unreachable';
  if (status === 401 || status === 407) return 'auth-failed';
  return 'rejected';
}

export type FinalAnswer = {
  /** 486 or 480 only: statuses an upstream proxy or SBC answers with, not route-advances on. */
  status: 486 | 480;
  /** What the record and the metrics keep: a dead trunk stays apart from a missed call. */
  outcome: 'busy' | 'no-answer' | 'unreachable' | 'failed';
  /** The `Reason` header of the final answer (RFC 3326, Q.850 cause as RFC 6432 allows). */
  reason: string;
};

/** A Q.850 cause as a Reason header value; the texts are Q.850's own names of the causes. */
const q850 = (cause: number, text: string) => `Q.850;cause=${cause};text="${text}"`;

const ANSWERS = {
  busy: { status: 486, outcome: 'busy', reason: q850(17, 'User busy') },
  'no-answer': {
    status: 480,
    outcome: 'no-answer',
    reason: q850(19, 'No answer from user (user alerted)'),
  },
  unreachable: {
    status: 480,
    outcome: 'unreachable',
    reason: q850(27, 'Destination out of order'),
  },
  failed: { status: 480, outcome: 'failed', reason: q850(31, 'Normal, unspecified') },
} as const satisfies Record<FinalAnswer['outcome'], FinalAnswer>;

const CLOSED_TEXT = {
  hours: 'Closed: outside business hours',
  holiday: 'Closed: public holiday',
  'closed-date': 'Closed: closed date',
} as const;

/**
 * The Reason of a closed number's 480 (RFC 3398 maps Q.850 31 to 480; no cause names "closed",
 * so the text says it), for whoever reads the carrier's traces.
 */
export function closedReason(why: keyof typeof CLOSED_TEXT): string {
  return q850(31, CLOSED_TEXT[why]);
}

const MISSED: ReadonlySet<DialFailure> = new Set(['busy', 'no-answer', 'declined']);

/**
 * What each destination's last attempt said, for the final answer: not a redirect that was
 * followed (its target's attempt speaks), not a group member cancelled because another answered.
 */
export function failuresOf(attempts: readonly Attempt[]): DialFailure[] {
  const out: DialFailure[] = [];
  for (const { cause } of attempts)
    if (cause !== 'answered' && cause !== 'completed-elsewhere' && cause !== 'redirected')
      out.push(cause);
  return out;
}

/**
 * Never 5xx or 408: an upstream that gets one tries the next node (RFC 3261 21.5.4, RFC 3263
 * 4.3), which would ring the same dealers again. 486 when every destination was busy; 480 for
 * the rest (RFC 3261 21.4.18: the user is known but has no usable forwarding location now), its
 * Reason telling apart nobody answered (busy, rang out, or hung up during the whisper), no
 * destination could be reached at all (a dead trunk is not a missed call), and anything else.
 */
export function finalAnswer(causes: readonly DialFailure[]): FinalAnswer {
  if (causes.length > 0 && causes.every((c) => c === 'busy')) return ANSWERS.busy;
  if (causes.length > 0 && causes.every((c) => MISSED.has(c))) return ANSWERS['no-answer'];
  if (causes.length > 0 && causes.every((c) => c === 'unreachable')) return ANSWERS.unreachable;
  return ANSWERS.failed;
}
