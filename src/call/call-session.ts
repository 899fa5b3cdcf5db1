/**
 * Forwards one routed call: tries the routes in order (a destination alone, or a ringAll group
 * whose members ring at once: ring-group.ts), each ending at its ring timeout,
 * relays ringing and early media, connects caller and dealer on the first answer (after the
 * whisper and the recording notice when anchored in media) and hands the connected call to
 * `talk`. CANCEL from the caller stops everything; the gateway can end the call itself (drain
 * timeout, lost drachtio connection: session-stop.ts) and the caller still gets a final answer
 * where it can.
 * Holds no SIP library value: the legs come through the ports.
 */
import type { Destination, DestinationGroup, Route } from '../routing/destination.js';
import { aborted } from '../util/aborted.js';
import type { EveryKey } from '../util/writable.js';
import { answerFromMedia, type Connected, connectCaller } from './connect-caller.js';
import { type TalkDeps, talk } from './connected-call.js';
import { failuresOf, finalAnswer } from './failure.js';
import { hunt } from './hunt.js';
import { leaveVoicemail } from './leave-voicemail.js';
import { MediaFlow, MediaStepError } from './media-flow.js';
import type { DialRequest, DialResult, InboundLeg, Presentation, Provisional } from './ports.js';
import { type Attempt, declined } from './record.js';
import type { RedirectTarget } from './redirect.js';
import { type Rung, ringGroup } from './ring-group.js';
import { SessionStop, Stopped } from './session-stop.js';
import type { SessionDeps, SessionResult } from './session-types.js';
import { legFor, withCallHeaders } from './trunk-leg.js';

export class CallSession {
  readonly #stop = new SessionStop();
  #dialed = false;
  readonly #media: MediaFlow | undefined;

  constructor(
    private readonly inbound: InboundLeg,
    /** What to ring, in order: the plan's destinations or a closed action's. */
    private readonly routes: readonly Route[],
    private readonly presentation: Presentation,
    private readonly deps: SessionDeps,
  ) {
    this.#media = deps.media && new MediaFlow(deps.media, deps.logger);
  }

  /** Ends the call from our side (drain): a ringing leg is cancelled, connected legs get BYE. */
  terminate(): void {
    this.#stop.stop('gateway');
  }

  /** The drachtio connection dropped: the call ends now, nothing more can be sent for it. */
  signallingLost(): void {
    this.#stop.stop('signalling-lost');
  }

  async run(): Promise<SessionResult> {
    this.inbound.onCancel((how) =>
      how === 'lost' ? this.#stop.stop('caller-lost') : this.#stop.cancel(),
    );
    const result = await this.#forward();
    await this.#media?.release();
    return this.#media ? { ...result, media: this.#media.use } : result;
  }

  async #forward(): Promise<SessionResult> {
    if (this.#media)
      await this.#stop
        .guard(this.#media.anchor(this.inbound, () => !this.#stop.signal.aborted))
        .catch(() => undefined);
    if (this.deps.closed) return this.#closed(this.deps.closed.reason);
    const attempts: Attempt[] = [];
    for (const [index, route] of this.routes.entries()) {
      const rung =
        route.type === 'group'
          ? await this.#ringAll(route, index)
          : await hunt(
              route,
              index,
              (target, timeoutMs) => this.#dial(target, timeoutMs),
              this.deps.redirect,
              this.deps.logger,
              this.#stop.signal,
            );
      if (rung.answer) {
        const connected = await this.#answered(rung.answer, index, rung.reached, [
          ...attempts,
          ...rung.tried,
        ]);
        if (connected) return connected;
        this.deps.logger.info({ destination: index }, 'dealer hung up before being connected');
      }
      attempts.push(...declined(rung.tried));
      if (this.#stop.signal.aborted) break;
    }
    return this.#failed(attempts);
  }

  /**
   * A ringAll group: every member at once, the first answer wins (the others get CANCEL with
   * "Call completed elsewhere"). A member's 3xx is not followed: it is that member's failure
   * (`rejected`, as the dialer says), the other members ring on.
   */
  async #ringAll(group: DestinationGroup, index: number): Promise<Rung> {
    const rung = await ringGroup(
      index,
      group.members,
      (member, signal, onProvisional) =>
        this.#dial(member, group.ringTimeoutMs, signal, onProvisional),
      (p) => this.#relay(p),
      this.#stop.signal,
    );
    this.deps.logger.info(
      { destination: index, members: rung.tried.map((a) => `${a.status}:${a.cause}`) },
      rung.answer ? 'ring group answered' : 'ring group failed',
    );
    return rung;
  }

  /** Every destination failed (or the call was stopped): the caller's final answer. */
  async #failed(attempts: Attempt[]): Promise<SessionResult> {
    const ended = this.#ended(attempts);
    if (ended) return ended;
    const final = finalAnswer(failuresOf(attempts));
    if (this.#media?.takesVoicemail) return this.#voicemail(this.#media, final.outcome, attempts);
    return this.#refused(final.status, final.outcome, attempts, { Reason: final.reason });
  }

  /** The caller is answered by the voicemail; the outcome stays `outcome` once answered. */
  async #voicemail(
    media: MediaFlow,
    outcome: SessionResult['outcome'],
    attempts: Attempt[],
  ): Promise<SessionResult> {
    const answered = answerFromMedia(this.inbound, media, false, async () => undefined);
    const left = await leaveVoicemail(this.#stop.guard(answered), media, this.#stop.stopping, {
      logger: this.deps.logger,
      now: this.deps.now,
      onAnswered: () => {
        this.deps.onFinalAnswer?.(200);
        this.deps.onAnswered?.(this.deps.now());
      },
    });
    return { outcome: left.answeredAt ? outcome : 'cancelled', attempts, ...left };
  }

  /** A closed number: voicemail, or the announcement (if any) and the 480. */
  async #closed(reason: string): Promise<SessionResult> {
    const media = this.#media;
    if (media?.takesVoicemail) return this.#voicemail(media, 'closed', []);
    if (media) {
      // the caller may have cancelled already, while the anchor was made
      await Promise.race([media.announced, aborted(this.#stop.signal), media.ended]);
    }
    return this.#ended([]) ?? this.#refused(480, 'closed', [], { Reason: reason });
  }

  /**
   * The caller cancelled, or the gateway stopped the call: the drain still answers the caller
   * (503), a lost connection cannot (the orphan cleanup does, after the reconnect).
   */
  #ended(attempts: Attempt[]): SessionResult | undefined {
    if (this.#stop.stopped === 'signalling-lost')
      return { outcome: 'failed', sipStatus: 503, attempts, endedBy: 'signalling-lost' };
    // drachtio-server ended the caller's INVITE itself (503 or 500): no answer of ours reaches it
    if (this.#stop.stopped === 'caller-lost')
      return { outcome: 'cancelled', sipStatus: 408, attempts, endedBy: 'caller-lost' };
    if (this.#stop.cancelled) return { outcome: 'cancelled', sipStatus: 487, attempts };
    if (this.#stop.stopped)
      return { ...this.#refused(503, 'failed', attempts), endedBy: this.#stop.stopped };
    return undefined;
  }

  #refused(
    status: number,
    outcome: SessionResult['outcome'],
    attempts: Attempt[],
    headers?: Readonly<Record<string, string>>,
  ): SessionResult {
    this.inbound.reject(status, headers);
    this.deps.onFinalAnswer?.(status);
    return { outcome, sipStatus: status, attempts };
  }

  #dial(
    target: Destination | RedirectTarget,
    timeoutMs: number,
    signal = this.#stop.signal,
    onProvisional = (p: Provisional) => this.#relay(p),
  ): Promise<DialResult> {
    // a withheld caller stays anonymous on every leg, redirected ones included
    const leg = legFor(target, this.deps.trunk, this.presentation);
    const request: DialRequest = {
      uri: leg.uri,
      // anchored: FreeSWITCH's offer, to every member of a group alike
      sdp: this.#media?.dealerSdp ?? this.inbound.sdp,
      callingNumber: this.presentation.callingNumber,
      headers: withCallHeaders(leg.headers, this.deps.legHeaders?.(leg.uri)),
      timeoutMs,
      signal,
      onProvisional,
    };
    if (this.presentation.callingName !== undefined)
      request.callingName = this.presentation.callingName;
    if (leg.auth) request.auth = leg.auth;
    const dialing = this.deps.dialer.dial(request);
    // dial() writes the INVITE before its first await, so it is on its way now
    if (!this.#dialed) this.deps.onFirstDial?.();
    this.#dialed = true;
    return dialing;
  }

  /** A dealer's 180/183, relayed to the caller as far as the call's shape allows. */
  #relay(p: Provisional): void {
    // anchored: the caller already hears our ringback through the 183 (or got a 180)
    if (this.#stop.signal.aborted || this.#media?.dealerSdp) return;
    // a late-offer caller cannot take an offer in an unreliable 18x: the status only
    this.inbound.provisional(this.inbound.sdp === undefined ? { status: p.status } : p);
  }

  /**
   * A dealer answered: connect the caller (undefined: the dealer hung up before, try the next
   * route). Whoever is gone by then is released. `answered`: the attempts, this answer included.
   */
  async #answered(
    result: Exclude<DialResult, { kind: 'failed' }>,
    index: number,
    reached: string | undefined,
    answered: Attempt[],
  ): Promise<SessionResult | undefined> {
    let legs: Connected;
    try {
      const connected = await this.#stop.guard(
        connectCaller(result, this.inbound, this.#media, () => {
          if (this.#stop.signal.aborted)
            throw new Stopped('cancelled before the answer reached the caller');
        }),
      );
      if (!connected) return undefined;
      legs = connected;
    } catch (err) {
      if (err instanceof MediaStepError && !this.#stop.stopped)
        return this.#mediaFailed(result.release, answered, err);
      // the caller's CANCEL (or the drain) crossed the dealer's 200: release the dealer
      await result.release();
      this.deps.logger.info({ err }, 'caller not connected when the dealer answered');
      return this.#ended(answered) ?? this.#refused(503, 'failed', answered);
    }
    const answeredAt = this.deps.now();
    this.deps.onFinalAnswer?.(200);
    this.deps.onAnswered?.(answeredAt, index, reached);
    const deps: TalkDeps = {
      logger: this.deps.logger,
      maxDurationMs: this.deps.maxDurationMs,
      keepaliveMs: this.deps.keepaliveMs,
      stopping: this.#stop.stopping,
    };
    if (this.#media?.mediaAnchor)
      deps.media = { anchor: this.#media.mediaAnchor, ended: this.#media.ended };
    const transfer = this.deps.transfer;
    if (transfer)
      deps.transfer = {
        policy: transfer.policy,
        enabled: transfer.enabled,
        ringTimeoutMs: transfer.ringTimeoutMs,
        dialer: this.deps.dialer,
        presentation: this.presentation,
        now: this.deps.now,
      } satisfies EveryKey<NonNullable<TalkDeps['transfer']>>;
    const local = {
      caller: legs.local,
      dealer: this.#media?.anchored ? this.#media.dealerSdp : undefined,
    };
    const talked = await talk(legs.caller, legs.dealer, local, deps);
    // plain stores, no spreads: see handle-invite.ts
    const out: SessionResult = {
      outcome: 'answered',
      sipStatus: 200,
      destinationIndex: index,
      answeredAt,
      attempts: answered,
      endedBy: talked.endedBy,
    };
    if (reached) out.destination = reached;
    if (talked.transfer) out.transfer = talked.transfer;
    return out;
  }

  /** The media server failed after the dealer answered: nobody can hear anybody, end it. */
  async #mediaFailed(
    releaseDealer: () => Promise<void>,
    attempts: Attempt[],
    err: MediaStepError,
  ): Promise<SessionResult> {
    this.#media?.stepFailed(err);
    this.deps.logger.error({ err }, 'media server failed when the dealer answered');
    await releaseDealer();
    const refused = this.#refused(503, 'failed', attempts);
    return this.#media?.lost ? { ...refused, endedBy: 'media-lost' } : refused;
  }
}
