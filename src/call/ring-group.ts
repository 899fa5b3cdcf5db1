/**
 * Simultaneous ring (`ringAll`): every member of a group is dialled at once, the first answer
 * wins and the others are cancelled with RFC 3326's "Call completed elsewhere", so their phones
 * show no missed call. Like a forking proxy (RFC 3261 16.7 step 10) the losers are cancelled as
 * soon as one member answers, before the whisper: a winner who hangs up during it ends the group.
 * A member that answered in the same instant as the winner is released (ACK and BYE by the
 * dialer): never two dealers connected.
 */
import type { Destination } from '../routing/destination.js';
import type { StopSignal } from '../util/stop-signal.js';
import { COMPLETED_ELSEWHERE_REASON } from './cancel-reasons.js';
import type { DialResult, Provisional } from './ports.js';
import type { Attempt } from './record.js';
import { routedAs } from './trunk-leg.js';

/** Places one member's leg; `signal` is the member's own, chained to the call's. */
export type MemberDial = (
  member: Destination,
  signal: StopSignal,
  onProvisional: (p: Provisional) => void,
) => Promise<DialResult>;

export type Answer = Exclude<DialResult, { kind: 'failed' }>;

/**
 * What ringing one route gave: the answer to connect, if any, and its attempts (the answered
 * one with cause `answered`). Shared with a destination alone (CallSession). `reached`: who
 * answered, as routed (E.164 or SIP URI; a redirect's target, a group's member), for billing.
 */
export type Rung = { answer?: Answer; reached?: string; tried: Attempt[] };

/**
 * Rings `members` at once until one answers, all fail or `signal` aborts (its reason is each
 * member's CANCEL Reason). `relay` gets the provisionals a single destination would send the
 * caller, but only one member's early media: the first 183 with SDP; the others' 18x go on as
 * status only (the caller has one early dialog with us, it cannot take two answers).
 */
export async function ringGroup(
  index: number,
  members: readonly Destination[],
  dial: MemberDial,
  relay: (p: Provisional) => void,
  signal: StopSignal,
): Promise<Rung> {
  const controllers = members.map(() => new AbortController());
  const chain = () => {
    for (const c of controllers) c.abort(signal.reason);
  };
  if (signal.aborted) chain();
  else signal.addEventListener('abort', chain, { once: true });
  let winner: Answer | undefined;
  let reached: string | undefined;
  let early: number | undefined;
  const tried: Attempt[] = [];
  const end = (member: number, status: number, cause: Attempt['cause']) => {
    tried[member] = { index, member, status, cause };
  };
  const ringing = members.map(async (member, k) => {
    const result = await dial(member, controllers[k]!.signal, (p) => {
      if (winner) return;
      if (p.sdp !== undefined) early ??= k;
      relay(early === k ? p : { status: p.status });
    });
    if (result.kind === 'failed') {
      // a CANCEL we sent because another member answered is not this member's failure
      const elsewhere = winner && result.cause === 'cancelled';
      end(k, result.status, elsewhere ? 'completed-elsewhere' : result.cause);
      return;
    }
    if (winner) {
      end(k, 200, 'completed-elsewhere');
      await result.release();
      return;
    }
    winner = result;
    reached = routedAs(member);
    end(k, 200, 'answered');
    controllers.forEach((c, j) => {
      if (j !== k) c.abort(COMPLETED_ELSEWHERE_REASON);
    });
  });
  try {
    await Promise.all(ringing);
  } finally {
    signal.removeEventListener('abort', chain);
  }
  return winner ? { answer: winner, reached: reached ?? '', tried } : { tried };
}
