/**
 * Why the gateway ends a dealer attempt or a relayed leg, as RFC 3326 Reason header values. The
 * CANCEL of an attempt says what happened (RFC 3326 2: `cause=200` "Call completed elsewhere"
 * only where another leg answered: a ring group's other members, never sequential hunting).
 */
import type { EndedBy } from './ports.js';

/** The caller hung up (its CANCEL) while the dealer rang. */
export const CALLER_CANCEL_REASON = 'SIP;cause=487;text="Caller cancelled"';
/** The destination rang out: Q.850 19 "no answer from user (user alerted)"; SIP has no status for it. */
export const RING_TIMEOUT_REASON = 'Q.850;cause=19;text="No answer from user"';
/** The caller's INVITE ended without a word to the gateway while the dealer rang. */
export const CALLER_LOST_REASON = 'SIP;cause=408;text="caller lost"';
/** The gateway ends the call (drain). */
export const GATEWAY_REASON = 'SIP;cause=503;text="gateway shutting down"';
/** The drachtio connection dropped: nothing can be sent then; the cleanup after it says this. */
export const SIGNALLING_LOST_REASON = 'SIP;cause=503;text="signalling connection lost"';
/** The other party of a connected call hung up: its BYE is relayed as Q.850 16 normal clearing. */
export const NORMAL_CLEARING_REASON = 'Q.850;cause=16;text="Normal call clearing"';
/**
 * Another member of a ring group answered (RFC 3326 2, the example there): phones that honour
 * it show no missed call.
 */
export const COMPLETED_ELSEWHERE_REASON = 'SIP;cause=200;text="Call completed elsewhere"';

/**
 * Why the gateway ended a call, as the Reason of its BYEs and of its CANCELs (a call still
 * ringing: session-stop.ts; a transfer target still ringing). A party's BYE is relayed to the
 * other as Q.850 16, normal call clearing: the other side learns the call ended normally, not
 * that the gateway failed.
 */
export const END_REASONS: Readonly<Record<EndedBy, string>> = {
  caller: NORMAL_CLEARING_REASON,
  dealer: NORMAL_CLEARING_REASON,
  gateway: GATEWAY_REASON,
  // drachtio-server's own words when it ends a session nobody refreshed
  'session-expired': 'SIP;cause=200;text="Session timer expired"',
  'max-duration': 'SIP;cause=200;text="maximum call duration reached"',
  // the other side's dialog is gone (481) or silent (408): its BYE never reached us
  'caller-lost': CALLER_LOST_REASON,
  'dealer-lost': 'SIP;cause=408;text="dealer lost"',
  'media-lost': 'SIP;cause=500;text="media server lost"',
  // nothing can be sent then; the orphan cleanup's BYE says the same
  'signalling-lost': SIGNALLING_LOST_REASON,
};
