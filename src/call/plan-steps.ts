/**
 * What a call's plan (RouteTable.plan) means for its session: the routes it rings, the media it
 * needs, and, when the number is closed, the 480's Reason and the record's `afterHours`. Open, or
 * closed with an answering service: the number's destinations and media as always. Closed
 * otherwise: no route, and the voicemail alone or the announcement alone (no recording notice, no
 * whisper: nobody is connected).
 */
import type { ForwardDecision } from '../routing/decision.js';
import type { Route } from '../routing/destination.js';
import type { CallPlan } from '../routing/plan.js';
import { closedReason } from './failure.js';
import { needsMedia } from './media-port.js';
import type { AfterHours, CallRecord } from './record.js';
import { type CallMedia, type SessionMedia, sessionMedia } from './session-media.js';

export type PlanSteps = {
  routes: readonly Route[];
  /** Undefined: signalling only. */
  media?: SessionMedia;
  /** The number is closed and rings nobody: the Reason of its 480. */
  closed?: { reason: string };
  afterHours?: AfterHours;
};

type CallIds = Pick<CallRecord, 'recordId' | 'startedAt' | 'callerNumber'>;

export function planSteps(
  plan: CallPlan,
  decision: ForwardDecision,
  media: CallMedia | undefined,
  ids: CallIds,
): PlanSteps {
  const full = () =>
    media && needsMedia(decision.options) ? sessionMedia(media, ids, decision) : undefined;
  if (plan.open) return withMedia({ routes: plan.destinations }, full());
  const { why, action } = plan;
  const afterHours: AfterHours = { why: why.kind, action: action.kind };
  if (action.kind === 'destinations')
    return withMedia({ routes: action.destinations, afterHours }, full());
  const closed = { routes: [], afterHours, closed: { reason: closedReason(why.kind) } };
  if (action.kind === 'refuse' || !media) return closed;
  const { recording: _r, voicemail, ...bare } = sessionMedia(media, ids, decision);
  if (action.kind === 'announcement')
    return { ...closed, media: { ...bare, announcement: action.prompt } };
  return withMedia(closed, voicemail && { ...bare, voicemail });
}

function withMedia(steps: PlanSteps, media: SessionMedia | undefined): PlanSteps {
  return media ? { ...steps, media } : steps;
}
