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
import type { MediaAnchor, MediaOptions, MediaPort, MediaUse, Prompt } from './media-port.js';
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
  media?: {
    port: MediaPort;
    options: MediaOptions;
    onError?: (step: string) => void;
    /** Set when the number records: notice to the caller first, record_session after the bridge. */
    recording?: SessionRecording;
  };
};

/** The recording of one call: where it goes and what the caller hears first. */
export type SessionRecording = {
  notice: Prompt;
  /** Absolute path FreeSWITCH records into (named by the call's record id). */
  path: string;
  /** File name the record notes. */
  file: string;
  /** Called right before recording starts (writes the sweeper's sidecar); may throw. */
  prepare: () => Promise<void>;
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
  #anchor: MediaAnchor | undefined;
  #media: MediaUse | undefined;
  #notice: Promise<'played' | 'failed'> | undefined;
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
    const result = await this.#forward();
    await this.#anchor?.release();
    return this.#media ? { ...result, media: this.#media } : result;
  }

  async #forward(): Promise<SessionResult> {
    await this.#anchorCall();
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

  /** With media: the caller's leg is anchored, gets 183 with FreeSWITCH's SDP and ringback. */
  async #anchorCall(): Promise<void> {
    const media = this.deps.media;
    if (!media) return;
    try {
      this.#anchor = await media.port.anchor(
        this.inbound.sdp,
        media.recording ? { ringback: false } : undefined,
      );
      this.#media = { anchored: true };
    } catch (err) {
      // the call still goes through, signalling only, without whisper
      this.#media = { anchored: false, error: 'anchor-failed' };
      media.onError?.('anchor');
      this.deps.logger.warn({ err }, 'media anchor failed: forwarding without media');
      return;
    }
    if (this.#abort.signal.aborted) return;
    this.inbound.earlyMedia(this.#anchor.callerSdp);
    // the notice plays in early media while the dealers ring; the bridge waits for its end
    if (media.recording) this.#notice = this.#anchor.notice(media.recording.notice);
  }

  #dial(destination: Destination): Promise<DialResult> {
    const anchor = this.#anchor;
    const dialing = this.deps.dialer.dial({
      uri: destinationUri(destination, this.deps.trunk),
      sdp: anchor ? anchor.dealerSdp : this.inbound.sdp,
      ...this.presentation,
      timeoutMs: destination.ringTimeoutMs,
      signal: this.#abort.signal,
      onProvisional: (p) => {
        // anchored: the caller already hears our ringback through the 183
        if (!this.#abort.signal.aborted && !anchor) this.inbound.provisional(p);
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
      const sdp = this.#anchor ? await this.#join(this.#anchor, result.sdp) : result.sdp;
      if (this.#abort.signal.aborted)
        throw new Error('cancelled before the answer reached the caller');
      caller = await this.inbound.answer(sdp);
    } catch (err) {
      if (err instanceof MediaStepError) return this.#mediaFailed(dealer, attempts, index, err);
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
      ...(this.#anchor ? [this.#anchor.ended.then((): EndedBy => 'gateway')] : []),
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

  /** Dealer answered: point FreeSWITCH at the dealer, whisper to the dealer, bridge. */
  async #join(anchor: MediaAnchor, dealerSdp: string | undefined): Promise<string> {
    try {
      await anchor.connectDealer(dealerSdp);
    } catch (err) {
      throw new MediaStepError('modify', err);
    }
    const whisper = this.deps.media?.options.whisper;
    if (whisper) {
      const played = await anchor.whisper(whisper);
      this.#media = { ...this.#media, anchored: true, whisper: played };
      if (played === 'failed') this.deps.media?.onError?.('whisper');
    }
    const recording = this.deps.media?.recording;
    let noticed = false;
    if (recording && this.#notice) {
      // FreeSWITCH ending the caller's channel mid-notice must not hold the answered dealer
      const notice = await Promise.race([this.#notice, anchor.ended.then(() => 'failed' as const)]);
      noticed = notice === 'played';
      this.#media = { ...this.#media, anchored: true, notice };
      if (!noticed) this.deps.media?.onError?.('notice');
    }
    try {
      await anchor.bridge();
    } catch (err) {
      throw new MediaStepError('bridge', err);
    }
    // recorded only when the caller heard the notice
    if (recording) await this.#record(anchor, recording, noticed);
    return anchor.callerSdp;
  }

  async #record(anchor: MediaAnchor, recording: SessionRecording, noticed: boolean) {
    try {
      if (!noticed) throw new Error('the recording notice did not play');
      await recording.prepare();
      await anchor.record(recording.path);
      this.#media = { ...this.#media, anchored: true, recording: recording.file };
    } catch (err) {
      this.#media = { ...this.#media, anchored: true, recording: 'failed' };
      this.deps.media?.onError?.('record');
      this.deps.logger.warn({ err, recording: recording.path }, 'recording failed');
    }
  }

  /** The media server failed after the dealer answered: nobody can hear anybody, end it. */
  async #mediaFailed(
    dealer: ConnectedLeg,
    attempts: Attempt[],
    index: number,
    err: MediaStepError,
  ): Promise<SessionResult> {
    this.deps.media?.onError?.(err.step);
    this.#media = { ...this.#media, anchored: true, error: `${err.step}-failed` };
    this.deps.logger.error({ err }, 'media server failed when the dealer answered');
    await dealer.hangup();
    this.inbound.reject(503);
    this.deps.onFinalAnswer?.(503);
    return {
      outcome: 'failed',
      sipStatus: 503,
      attempts: [...attempts, { index, status: 200, cause: 'answered' }],
    };
  }
}

class MediaStepError extends Error {
  constructor(
    readonly step: string,
    cause: unknown,
  ) {
    super(`media step ${step} failed`, { cause });
    this.name = 'MediaStepError';
  }
}
