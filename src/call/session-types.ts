/**
 * What a call session needs (its ports and the call's options) and what it reports when the
 * call is over (call-session.ts).
 */
import type { Logger } from '../observability/logger.js';
import type { TrunkAccess } from '../routing/trunk.js';
import type { MediaUse } from './media-port.js';
import type { Dialer, EndedBy } from './ports.js';
import type { Attempt, CallOutcome, TransferNote } from './record.js';
import type { SessionMedia } from './session-media.js';
import type { TransferPolicy } from './transfer-target.js';

export type SessionDeps = {
  dialer: Dialer;
  /** OUTBOUND_TRUNK, for E.164 destinations (and numbers a redirect names). */
  trunk: TrunkAccess;
  /**
   * 3xx from a destination: followed up to `max` times to targets the policy allows. Absent: a
   * 3xx is a failure like any other.
   */
  redirect?: { policy: TransferPolicy; max: number };
  now: () => number;
  logger: Logger;
  /** Longest a connected call may last (MAX_CALL_DURATION_S). */
  maxDurationMs: number;
  /** How often a connected call's legs are asked whether they still know it (DIALOG_KEEPALIVE_S). */
  keepaliveMs: number;
  /** Blind transfers by the dealer; absent: REFER is refused. */
  transfer?: { policy: TransferPolicy; enabled: boolean; ringTimeoutMs: number };
  /** Called once, when the caller gets its final answer (200 or a failure). */
  onFinalAnswer?: (status: number) => void;
  /**
   * Called once when the caller is answered (a dealer's 200 relayed, or the voicemail): when, by
   * which destination and whom (as routed) — the call journal keeps it until the record.
   */
  onAnswered?: (atMs: number, index?: number, destination?: string) => void;
  /** Called once, right after the first dealer INVITE was handed to the SIP stack. */
  onFirstDial?: () => void;
  /** Set when the number's options need media: the call is anchored in a media server. */
  media?: SessionMedia;
  /** Headers of the dealer leg to this URI (Max-Forwards, the tracking number for loops). */
  legHeaders?: (uri: string) => Readonly<Record<string, string>>;
  /**
   * The number is closed and rings nobody: voicemail when the media takes it, else its
   * announcement (when anchored) and 480 with this Reason.
   */
  closed?: { reason: string };
};

export type SessionResult = {
  outcome: Exclude<CallOutcome, 'rejected'>;
  sipStatus: number;
  attempts: Attempt[];
  destinationIndex?: number;
  /** Who answered, as routed (E.164 or SIP URI): for the traffic record only, never logged. */
  destination?: string;
  answeredAt?: number;
  endedBy?: EndedBy;
  media?: MediaUse;
  transfer?: TransferNote;
};
