/**
 * One new INVITE from start to record: admission, routing, forwarding, and exactly one call
 * record and one set of metrics whatever happens. A child logger carries the Call-ID (made at the
 * call's first log line: most calls log one, as they end).
 */
import { randomUUID } from 'node:crypto';
import type { Admitter } from '../edge/admission.js';
import { EDGE_ANSWERS, type EdgeRefusal } from '../edge/answers.js';
import { type CallerId, callerId, dealerDisplayName } from '../edge/caller-id.js';
import { checkRequire } from '../edge/extensions.js';
import {
  forwardedMaxForwards,
  loopsBack,
  type NumberCalls,
  targetHost,
  trackingHeaders,
} from '../edge/loops.js';
import { ACCEPTED_BODIES } from '../edge/sdp-body.js';
import { type Logger, lazyChild } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { RouteDecision } from '../routing/decision.js';
import { REJECT_REASONS } from '../routing/reasons.js';
import type { RouteTable } from '../routing/route-table.js';
import type { TrunkAccess } from '../routing/trunk.js';
import { isoString } from '../util/iso-time.js';
import type { Writable } from '../util/writable.js';
import { CallSession } from './call-session.js';
import { finish, timing } from './finish-record.js';
import { planSteps } from './plan-steps.js';
import type { Dialer, InboundLeg, Presentation } from './ports.js';
import type { CallBase, CallJournal, CallRecord, RecordSink } from './record.js';
import type { ActiveCalls } from './registry.js';
import { routedRecord } from './routed-record.js';
import type { CallMedia } from './session-media.js';
import type { SessionDeps } from './session-types.js';

/** What the INVITE said, as plain values (the source address is the one drachtio saw). */
export type InviteFacts = {
  callId: string;
  sourceAddress: string;
  userAgent?: string;
  requestUri: string;
  to?: string;
  from?: string;
  privacy?: string;
  assertedIdentity?: string;
  maxForwards?: string;
  historyInfo?: string;
  diversion?: string;
  /** The option tags the caller requires (RFC 3261 20.32). */
  require?: string;
  /** Why the body holds nothing the gateway can honour (edge/sdp-body.ts): the INVITE gets 415. */
  unreadableBody?: string;
  /** performance.now() when the INVITE reached the gateway's handler. */
  receivedAt?: number;
};

export type CallServices = {
  admitter: Admitter;
  /** Calls in progress per tracking number on this node (options.maxConcurrentCalls). */
  numberCalls: NumberCalls;
  table: () => RouteTable;
  dialer: Dialer;
  sink: RecordSink;
  /** Notes calls in progress, so a gateway that dies still leaves their records (RECORD_SINK=redis). */
  journal?: CallJournal;
  metrics: Metrics;
  logger: Logger;
  calls: ActiveCalls;
  trunk: TrunkAccess;
  /** 3xx from a destination are followed at most this often (MAX_REDIRECTS). */
  maxRedirects: number;
  nodeId: string;
  defaultCountryCode: string;
  retryAfterSeconds: number;
  now: () => number;
  /** The clock business hours are judged by (HOURS_CLOCK_START shifts it; else `now`). */
  hoursNow: () => number;
  /** Media servers, when FREESWITCH is configured; numbers that need media use them. */
  media?: CallMedia;
  /** Longest a connected call may last (MAX_CALL_DURATION_S). */
  maxDurationMs: number;
  /** How often a connected call's legs are asked whether they still know it (DIALOG_KEEPALIVE_S). */
  keepaliveMs: number;
  /** How long a transfer target may ring. */
  transferRingTimeoutMs: number;
};

export async function handleInvite(
  facts: InviteFacts,
  inbound: InboundLeg,
  s: CallServices,
): Promise<CallRecord> {
  const started = s.now();
  const log = lazyChild(s.logger, { callId: facts.callId });
  const table = s.table();
  const admission = s.admitter.admit(facts.sourceAddress, facts.userAgent, s.calls.size);
  const trusted = admission.ok && admission.trustIdentity;
  const caller = callerId(facts, s.defaultCountryCode, trusted);
  // objects of every call are built by plain stores: a conditional spread is copied property by
  // property through V8's runtime, a tenth of the gateway's own CPU per call (issue 16)
  const base: Writable<CallBase> = {
    recordId: randomUUID(),
    callId: facts.callId,
    nodeId: s.nodeId,
    dialplanVersion: table.info.version,
    startedAt: isoString(started),
    callerWithheld: caller.kind === 'withheld',
  };
  if (caller.kind === 'number') base.callerNumber = caller.number;
  const setup = () => s.metrics.setupSeconds.observe((s.now() - started) / 1000);
  /** An edge refusal: its answer (with `headers`), one log line (with `detail`), one record. */
  const refuse = (
    reason: EdgeRefusal,
    routed: Partial<CallRecord> = {},
    headers?: Readonly<Record<string, string>>,
    detail?: string,
  ) => {
    const answer = EDGE_ANSWERS[reason];
    inbound.reject(
      answer.status,
      answer.retryAfter ? { ...headers, 'Retry-After': String(s.retryAfterSeconds) } : headers,
    );
    setup();
    const carrier = admission.ok ? admission.carrier?.name : undefined;
    log.info(
      {
        reason,
        status: answer.status,
        source: facts.sourceAddress,
        ...(carrier && { carrier }),
        ...(headers && { headers }),
        ...(detail && { detail }),
      },
      answer.log,
    );
    return finish(s, {
      ...base,
      ...routed,
      outcome: 'rejected',
      rejectReason: reason,
      sipStatus: answer.status,
      attempts: [],
    });
  };
  if (!admission.ok) return refuse(admission.reason);
  let decision = table.lookup(facts.requestUri);
  if (decision.kind === 'reject' && decision.reason === 'malformed' && facts.to)
    decision = table.lookup(facts.to);
  if (decision.kind === 'reject') {
    inbound.reject(decision.sipStatus);
    setup();
    log.info(
      // the detail says why a number was unreadable (ambiguous, too short); it holds no digits
      { reason: decision.reason, status: decision.sipStatus, detail: decision.detail },
      REJECT_REASONS[decision.reason].log,
    );
    const routed = {
      ...(decision.number && { trackingNumber: decision.number }),
      ...(decision.customerId && { customerId: decision.customerId }),
      ...(decision.source && { source: decision.source }),
    };
    return finish(s, {
      ...base,
      ...routed,
      outcome: 'rejected',
      rejectReason: decision.reason,
      sipStatus: decision.sipStatus,
      attempts: [],
    });
  }
  const routed = {
    trackingNumber: decision.number,
    customerId: decision.customerId,
    source: decision.source,
  };
  const hops = forwardedMaxForwards(facts.maxForwards);
  if (hops === undefined) return refuse('too-many-hops', routed);
  if (loopsBack(facts, decision.number, s.defaultCountryCode)) return refuse('loop', routed);
  if (facts.require !== undefined) {
    const required = checkRequire(facts.require);
    if (required.refuse)
      return refuse(
        'bad-extension',
        routed,
        required.unsupported.length > 0
          ? { Unsupported: required.unsupported.join(', ') }
          : undefined,
      );
  }
  if (facts.unreadableBody !== undefined)
    return refuse('unsupported-body', routed, { Accept: ACCEPTED_BODIES }, facts.unreadableBody);
  const number = decision.number;
  if (!s.numberCalls.enter(number, decision.options.maxConcurrentCalls))
    return refuse('number-busy', routed);
  const mode = table.customer(decision.customerId)?.trackingHeader ?? 'history-info';
  const host = targetHost(facts.requestUri);
  const steps = planSteps(table.plan(decision, s.hoursNow()), decision, s.media, base);
  const { afterHours } = steps;
  // per-step lines are debug: at info a call is one line, its end (CPU per call, issue 16)
  if (afterHours) log.debug({ source: decision.source, ...afterHours }, 'number closed');
  else log.debug({ source: decision.source, destinations: steps.routes.length }, 'forwarding');
  // transfers and redirects: the dealer sends the caller on, under the same rules
  const policy = {
    trunk: s.trunk,
    defaultCountryCode: s.defaultCountryCode,
    international: decision.options.transfer?.international ?? false,
    // the table of the moment: a number added since the call began is a tracking number too
    isTrackingNumber: (e164: string) => isTrackingNumber(s.table().lookup(e164)),
  };
  const deps: SessionDeps = {
    dialer: s.dialer,
    trunk: s.trunk,
    now: s.now,
    logger: log,
    maxDurationMs: s.maxDurationMs,
    keepaliveMs: s.keepaliveMs,
    legHeaders: (uri) =>
      Object.assign({ 'Max-Forwards': String(hops) }, trackingHeaders(mode, number, host, uri)),
    transfer: {
      enabled: decision.options.transfer?.enabled ?? true,
      ringTimeoutMs: s.transferRingTimeoutMs,
      policy,
    },
    redirect: { policy, max: s.maxRedirects },
    onFinalAnswer: setup,
    onFirstDial: () =>
      s.metrics.dialDelay.observe(
        (performance.now() - (facts.receivedAt ?? performance.now())) / 1000,
      ),
  };
  if (s.journal) deps.onAnswered = journalAnswer(s.journal, base.recordId);
  if (steps.media) deps.media = steps.media;
  if (steps.closed) deps.closed = steps.closed;
  const session = new CallSession(
    inbound,
    steps.routes,
    presentation(caller, decision.options.displayPrefix),
    deps,
  );
  s.metrics.activeCalls.inc();
  s.journal?.begin(routedRecord(base, routed, afterHours));
  // tracked until the record is written, so a drain never exits ahead of a record
  const forwarded = session.run().then((result) => {
    const ended: Record<string, unknown> = {
      outcome: result.outcome,
      status: result.sipStatus,
      endedBy: result.endedBy,
      source: decision.source,
      destinations: steps.routes.length,
    };
    if (afterHours) {
      ended.why = afterHours.why;
      ended.action = afterHours.action;
    }
    log.info(ended, 'call ended');
    s.journal?.end(base.recordId);
    return finish(s, timing(result, started, s.now(), routedRecord(base, routed, afterHours)));
  });
  return s.calls.track(session, forwarded).finally(() => {
    s.metrics.activeCalls.dec();
    s.numberCalls.leave(number);
  });
}

function journalAnswer(journal: CallJournal, recordId: string) {
  return (atMs: number, index?: number, destination?: string) =>
    journal.answered(recordId, atMs, index, destination);
}

/** Active or deactivated: a number of ours (the table knows it). */
function isTrackingNumber(d: RouteDecision): boolean {
  return d.kind === 'forward' || d.reason === 'deactivated';
}

function presentation(caller: CallerId, prefix: string | undefined): Presentation {
  const callingName = dealerDisplayName(caller, prefix);
  if (caller.kind === 'number')
    return callingName
      ? { callingNumber: caller.number, callingName, headers: {} }
      : { callingNumber: caller.number, headers: {} };
  // RFC 3323: an anonymous From, and nothing else that could carry the number (the name is safe)
  const display = callingName ? `"${callingName}" ` : '';
  return {
    callingNumber: 'anonymous',
    headers: { From: `${display}<sip:anonymous@anonymous.invalid>`, Privacy: 'id' },
  };
}
