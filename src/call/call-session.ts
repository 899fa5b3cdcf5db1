/**
 * Forwards one routed call: tries the destinations in order, each with its ring timeout, relays
 * ringing, connects caller and dealer on the first answer and keeps both legs together until
 * either side hangs up. CANCEL from the caller stops everything; the gateway can end the call
 * itself (drain timeout). Holds no SIP library value: the legs come through the ports.
 */
import type { Logger } from '../observability/logger.js';
import type { ForwardDecision } from '../routing/decision.js';
import type { Destination } from '../routing/destination.js';
import { finalAnswer } from './failure.js';
import type {
  ConnectedLeg,
  Dialer,
  DialFailure,
  DialResult,
  EndedBy,
  InboundLeg,
} from './ports.js';
import type { Attempt, CallOutcome } from './record.js';

export type Presentation = {
  callingNumber: string;
  callingName?: string;
  headers: Readonly<Record<string, string>>;
};

export type SessionDeps = {
  dialer: Dialer;
  /** `host:port` of OUTBOUND_TRUNK, for E.164 destinations. */
  trunk: string;
  now: () => number;
  logger: Logger;
  /** Called once, when the caller gets its final answer (200 or a failure). */
  onFinalAnswer?: (status: number) => void;
  /** Called once, right after the first dealer INVITE was handed to the SIP stack. */
  onFirstDial?: () => void;
};

export type SessionResult = {
  outcome: Exclude<CallOutcome, 'rejected'>;
  sipStatus: number;
  attempts: Attempt[];
  destinationIndex?: number;
  answeredAt?: number;
  endedBy?: EndedBy;
};

export function destinationUri(d: Destination, trunk: string): string {
  return d.type === 'e164' ? `sip:${d.number}@${trunk}` : d.uri;
}

export class CallSession {
  readonly #abort = new AbortController();
  #cancelled = false;
  #dialed = false;
  #endNow: () => void = () => undefined;
  readonly #ended = new Promise<'gateway'>((resolve) => {
    this.#endNow = () => resolve('gateway');
  });

  constructor(
    private readonly inbound: InboundLeg,
    private readonly decision: ForwardDecision,
    private readonly presentation: Presentation,
    private readonly deps: SessionDeps,
  ) {}

  /** Ends the call from our side: a ringing leg is cancelled, connected legs get BYE. */
  terminate(): void {
    this.#abort.abort();
    this.#endNow();
  }

  async run(): Promise<SessionResult> {
    this.inbound.onCancel(() => {
      this.#cancelled = true;
      this.#abort.abort();
    });
    const attempts: Attempt[] = [];
    const causes: DialFailure[] = [];
    for (const [index, destination] of this.decision.destinations.entries()) {
      if (this.#abort.signal.aborted) break;
      const result = await this.#dial(destination);
      if (result.kind === 'answered') return this.#connect(result, index, attempts);
      attempts.push({ index, status: result.status, cause: result.cause });
      causes.push(result.cause);
      this.deps.logger.info(
        { destination: index, status: result.status, cause: result.cause },
        'destination failed',
      );
    }
    if (this.#cancelled) return { outcome: 'cancelled', sipStatus: 487, attempts };
    const final = this.#abort.signal.aborted
      ? { status: 503, outcome: 'failed' as const }
      : finalAnswer(causes);
    this.inbound.reject(final.status);
    this.deps.onFinalAnswer?.(final.status);
    return { outcome: final.outcome, sipStatus: final.status, attempts };
  }

  #dial(destination: Destination): Promise<DialResult> {
    const dialing = this.deps.dialer.dial({
      uri: destinationUri(destination, this.deps.trunk),
      sdp: this.inbound.sdp,
      ...this.presentation,
      timeoutMs: destination.ringTimeoutMs,
      signal: this.#abort.signal,
      onProvisional: (p) => {
        if (!this.#abort.signal.aborted) this.inbound.provisional(p);
      },
    });
    // dial() writes the INVITE before its first await, so it is on its way now
    if (!this.#dialed) this.deps.onFirstDial?.();
    this.#dialed = true;
    return dialing;
  }

  async #connect(
    result: Extract<DialResult, { kind: 'answered' }>,
    index: number,
    attempts: Attempt[],
  ): Promise<SessionResult> {
    const dealer = result.leg;
    let caller: ConnectedLeg;
    try {
      if (this.#abort.signal.aborted)
        throw new Error('cancelled before the answer reached the caller');
      caller = await this.inbound.answer(result.sdp);
    } catch (err) {
      // the caller's CANCEL crossed the dealer's 200: release the dealer
      await dealer.hangup();
      this.deps.logger.info({ err }, 'caller gone when the dealer answered');
      return {
        outcome: 'cancelled',
        sipStatus: 487,
        attempts: [...attempts, { index, status: 200, cause: 'answered' }],
      };
    }
    const answeredAt = this.deps.now();
    this.deps.onFinalAnswer?.(200);
    const endedBy = await Promise.race([
      caller.ended.then((): EndedBy => 'caller'),
      dealer.ended.then((): EndedBy => 'dealer'),
      this.#ended,
    ]);
    await Promise.all([
      endedBy !== 'caller' && caller.hangup(),
      endedBy !== 'dealer' && dealer.hangup(),
    ]);
    return {
      outcome: 'answered',
      sipStatus: 200,
      destinationIndex: index,
      answeredAt,
      endedBy,
      attempts: [...attempts, { index, status: 200, cause: 'answered' }],
    };
  }
}
