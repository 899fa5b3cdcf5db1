/**
 * What routing answers for one called number. Decisions are frozen values built when the table is
 * compiled: a call keeps the decision it got even if the table is swapped during the call.
 */
import type { NumberOptions } from '../dialplan/types.js';
import type { Route } from './destination.js';
import type { RejectReason } from './reasons.js';

export type ForwardDecision = {
  readonly kind: 'forward';
  readonly number: string;
  readonly customerId: string;
  readonly source: string;
  /** In order; a group's members ring at once. */
  readonly destinations: readonly Route[];
  readonly options: Readonly<NumberOptions>;
  /** The number's own closed action's destinations (`options.closed.action: destinations`), parsed. */
  readonly closedDestinations?: readonly Route[];
};

export type RejectDecision = {
  readonly kind: 'reject';
  readonly reason: RejectReason;
  readonly sipStatus: number;
  /** The normalised number when there is one (absent for malformed input). */
  readonly number?: string;
  readonly customerId?: string;
  readonly source?: string;
  readonly deactivatedAt?: string;
  readonly replacedBy?: string;
  /** Why the input was malformed, for logs. */
  readonly detail?: string;
};

export type RouteDecision = ForwardDecision | RejectDecision;
