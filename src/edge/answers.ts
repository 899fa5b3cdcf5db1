/**
 * Every refusal the edge decides, with its SIP answer and the sentence logged for it. The answers
 * are chosen for what the upstream does with them:
 * - 503 *with* Retry-After tells an RFC 3261 upstream to send nothing to this node for that long
 *   (21.5.4; RFC 3263 4.3): only for draining, when the node really goes away.
 * - 503 *without* Retry-After counts as a 500 for this one request (21.5.4): the upstream tries
 *   its next node for this call and keeps this one in rotation. That is the answer to a noisy
 *   source or carrier, and to the node's own momentary overload: one busy second must not take
 *   the node out of every carrier's rotation for half a minute (RFC 6357 3: on/off overload).
 * - 403 for strangers and scanners alike (no hint to a scanner).
 * - 483 / 482 for hops used up and loops (RFC 3261 16.3, 8.2.2.2; RFC 7044 / 5806 headers).
 * - 420 with Unsupported for an extension the caller requires and the gateway lacks (RFC 3261
 *   8.2.2.3), 415 with Accept for a body it cannot honour (8.2.3): the caller may retry without.
 * - 486 for a tracking number at its concurrent-call cap: the number is busy, the caller hears
 *   busy and an upstream does not retry the call elsewhere (a 4xx ends the branch).
 */
export type EdgeRefusal =
  | 'not-allowed'
  | 'scanner'
  | 'draining'
  | 'rate-limited'
  | 'carrier-rate-limited'
  | 'overload-calls'
  | 'overload-rate'
  | 'too-many-hops'
  | 'loop'
  | 'bad-extension'
  | 'unsupported-body'
  | 'number-busy';

export const EDGE_ANSWERS: Readonly<
  Record<EdgeRefusal, { status: number; retryAfter: boolean; log: string }>
> = Object.freeze({
  'not-allowed': { status: 403, retryAfter: false, log: 'source is not a configured carrier' },
  scanner: { status: 403, retryAfter: false, log: 'scanner user agent' },
  draining: { status: 503, retryAfter: true, log: 'draining for shutdown' },
  'rate-limited': { status: 503, retryAfter: false, log: 'source exceeded its call rate' },
  'carrier-rate-limited': {
    status: 503,
    retryAfter: false,
    log: 'carrier exceeded its call rate',
  },
  'overload-calls': {
    status: 503,
    retryAfter: false,
    log: 'node at its maximum of concurrent calls',
  },
  'overload-rate': {
    status: 503,
    retryAfter: false,
    log: 'node at its maximum of new calls per second',
  },
  'too-many-hops': { status: 483, retryAfter: false, log: 'Max-Forwards used up' },
  loop: {
    status: 482,
    retryAfter: false,
    log: 'call carries its own tracking number in History-Info or Diversion',
  },
  'bad-extension': {
    status: 420,
    retryAfter: false,
    log: 'caller requires a SIP extension the gateway does not support',
  },
  'unsupported-body': {
    status: 415,
    retryAfter: false,
    log: 'INVITE body holds no offer the gateway can honour',
  },
  'number-busy': {
    status: 486,
    retryAfter: false,
    log: 'tracking number at its maximum of concurrent calls',
  },
});
