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
import { MediaFlow, MediaStepError, type SessionMedia } from './media-flow.js';
import type { MediaUse } from './media-port.js';
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
  /** Set when the number's options need media: the call is anchored in a media server. */
  media?: SessionMedia;
};

export type SessionResult = {
  outcome: Exclude<CallOutcome, 'rejected'>;
  sipStatus: number;
  attempts: Attempt[];
  destinationIndex?: number;
  answeredAt?: number;
  endedBy?: EndedBy;
  media?: MediaUse;
};

export function destinationUri(d: Destination, trunk: string): string {
  return d.type === 'e164' ? `sip:${d.number}@${trunk}` : d.uri;
}

export class CallSession {
  readonly #abort = new AbortController();
  #cancelled = false;
  #dialed = false;
  #endNow: () => void = () => undefined;
  readonly #media: MediaFlow | undefined;
  readonly #ended = new Promise<'gateway'>((resolve) => {
    this.#endNow = () => resolve('gateway');
  });

  constructor(
    private readonly inbound: InboundLeg,
    private readonly decision: ForwardDecision,
    private readonly presentation: Presentation,
    private readonly deps: SessionDeps,
  ) {
    this.#media = deps.media && new MediaFlow(deps.media, deps.logger);
  }

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
    const result = await this.#forward();
    await this.#media?.release();
    return this.#media ? { ...result, media: this.#media.use } : result;
  }

  async #forward(): Promise<SessionResult> {
    await this.#media?.anchor(this.inbound, () => !this.#abort.signal.aborted);
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
    if (!this.#abort.signal.aborted && this.#media?.takesVoicemail)
      return this.#voicemail(this.#media, final.outcome, attempts);
    this.inbound.reject(final.status);
    this.deps.onFinalAnswer?.(final.status);
    return { outcome: final.outcome, sipStatus: final.status, attempts };
  }

  #dial(destination: Destination): Promise<DialResult> {
    const anchored = this.#media?.dealerSdp;
    const dialing = this.deps.dialer.dial({
      uri: destinationUri(destination, this.deps.trunk),
      sdp: anchored ?? this.inbound.sdp,
      ...this.presentation,
      timeoutMs: destination.ringTimeoutMs,
      signal: this.#abort.signal,
      onProvisional: (p) => {
        // anchored: the caller already hears our ringback through the 183
        if (!this.#abort.signal.aborted && !anchored) this.inbound.provisional(p);
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
    const answered = [...attempts, { index, status: 200, cause: 'answered' as const }];
    let caller: ConnectedLeg;
    try {
      if (this.#abort.signal.aborted)
        throw new Error('cancelled before the answer reached the caller');
      const sdp = this.#media?.anchored ? await this.#media.join(result.sdp) : result.sdp;
      if (this.#abort.signal.aborted)
        throw new Error('cancelled before the answer reached the caller');
      caller = await this.inbound.answer(sdp);
    } catch (err) {
      if (err instanceof MediaStepError) return this.#mediaFailed(dealer, answered, err);
      // the caller's CANCEL crossed the dealer's 200: release the dealer
      await dealer.hangup();
      this.deps.logger.info({ err }, 'caller gone when the dealer answered');
      return { outcome: 'cancelled', sipStatus: 487, attempts: answered };
    }
    const answeredAt = this.deps.now();
    this.deps.onFinalAnswer?.(200);
    const endedBy = await Promise.race([
      caller.ended.then((): EndedBy => 'caller'),
      dealer.ended.then((): EndedBy => 'dealer'),
      this.#ended,
      ...(this.#media ? [this.#media.ended.then((): EndedBy => 'gateway')] : []),
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
      attempts: answered,
    };
  }

  /**
   * Nobody answered and the number takes voicemail: the caller is answered (200 with
   * FreeSWITCH's SDP) and leaves a message. The outcome stays what the dealers did.
   */
  async #voicemail(
    media: MediaFlow,
    outcome: SessionResult['outcome'],
    attempts: Attempt[],
  ): Promise<SessionResult> {
    let caller: ConnectedLeg;
    try {
      caller = await this.inbound.answer(media.callerSdp);
    } catch (err) {
      this.deps.logger.info({ err }, 'caller gone before the voicemail answered');
      return { outcome: 'cancelled', sipStatus: 487, attempts };
    }
    const answeredAt = this.deps.now();
    this.deps.onFinalAnswer?.(200);
    const callerGone = caller.ended.then((): EndedBy => 'caller');
    const stop = Promise.race([callerGone, this.#ended]);
    const left = await media.voicemail(stop);
    const endedBy = await Promise.race([stop, Promise.resolve<EndedBy>('gateway')]);
    if (endedBy !== 'caller') await caller.hangup();
    this.deps.logger.info({ voicemail: left, endedBy }, 'voicemail ended');
    return { outcome, sipStatus: 200, answeredAt, endedBy, attempts };
  }

  /** The media server failed after the dealer answered: nobody can hear anybody, end it. */
  async #mediaFailed(
    dealer: ConnectedLeg,
    attempts: Attempt[],
    err: MediaStepError,
  ): Promise<SessionResult> {
    this.#media?.stepFailed(err);
    this.deps.logger.error({ err }, 'media server failed when the dealer answered');
    await dealer.hangup();
    this.inbound.reject(503);
    this.deps.onFinalAnswer?.(503);
    return { outcome: 'failed', sipStatus: 503, attempts };
  }
}
