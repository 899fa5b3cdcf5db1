/**
 * The media steps of one anchored call, in the order the call needs them: anchor the caller
 * (183 with FreeSWITCH's SDP, ringback or the recording notice), join the dealer who answered
 * (whisper, bridge, record), or take a voicemail when nobody answered. Notes what happened in a
 * MediaUse for the call record. Holds no fsmrf value: the anchor comes through the MediaPort.
 */
import type { Logger } from '../observability/logger.js';
import { DeadlineError, withDeadline } from '../util/deadline.js';
import { type MediaAnchor, MediaBusyError, type MediaUse } from './media-port.js';
import type { InboundLeg } from './ports.js';
import type { SessionMedia, SessionRecording } from './session-media.js';

/** A media step failed after the dealer answered: nobody can hear anybody. */
export class MediaStepError extends Error {
  constructor(
    readonly step: string,
    cause: unknown,
  ) {
    super(`media step ${step} failed`, { cause });
    this.name = 'MediaStepError';
  }
}

export class MediaFlow {
  #anchor: MediaAnchor | undefined;
  #use: MediaUse = { anchored: false };
  #notice: Promise<'played' | 'failed'> | undefined;
  #noticed: 'played' | 'failed' | undefined;
  #announced: Promise<'played' | 'failed'> | undefined;
  /** A dealer answered: the caller gets no new ringback after the notice. */
  #joining = false;
  /** FreeSWITCH ended one of the call's channels. */
  #lost = false;

  constructor(
    private readonly media: SessionMedia,
    private readonly logger: Logger,
  ) {}

  get use(): MediaUse {
    return this.#use;
  }

  /** FreeSWITCH's SDP for the dealers, once anchored. */
  get dealerSdp(): string | undefined {
    return this.#anchor?.dealerSdp;
  }

  get anchored(): boolean {
    return this.#anchor !== undefined;
  }

  /** The anchor, for the in-dialog relay and the late-offer answers once a dealer answered. */
  get mediaAnchor(): MediaAnchor | undefined {
    return this.#anchor;
  }

  /** FreeSWITCH ended one of the call's channels (or went away). */
  get lost(): boolean {
    return this.#lost;
  }

  /** Resolves if FreeSWITCH ends one of the call's channels; never when not anchored. */
  get ended(): Promise<void> {
    return this.#anchor?.ended ?? new Promise(() => undefined);
  }

  /**
   * Anchors the caller's leg; without a media server, when every one is busy anchoring, or when
   * FreeSWITCH does not answer within `anchorTimeoutMs`, the call goes on signalling only (and
   * without whisper). `stillWanted` is asked once the anchor exists: a caller who cancelled
   * meanwhile gets no 183. A late-offer caller gets no early media (an offer may not travel in an
   * unreliable 183): a 180 instead.
   */
  async anchor(inbound: InboundLeg, stillWanted: () => boolean): Promise<void> {
    const { port, recording, announcement } = this.media;
    const lateOffer = inbound.sdp === undefined;
    try {
      const anchoring = port.anchor(
        inbound.sdp,
        recording || announcement || lateOffer ? { ringback: false } : undefined,
      );
      this.#anchor = await withDeadline(
        anchoring,
        this.media.anchorTimeoutMs,
        'FreeSWITCH anchoring the call',
        (late) => late.release(),
      );
      this.#use = { anchored: true };
      void this.#anchor.ended.then(() => {
        this.#lost = true;
      });
    } catch (err) {
      this.#use = { anchored: false, error: anchorError(err) };
      this.#failed('anchor');
      this.logger.warn({ err }, 'media anchor failed: forwarding without media');
      return;
    }
    if (!stillWanted()) return;
    if (lateOffer) {
      inbound.provisional({ status: 180 });
      return;
    }
    inbound.earlyMedia(this.#anchor.callerSdp);
    if (announcement) {
      // no ringback after it: the 480 follows
      this.#announced = this.#anchor
        .notice(announcement, () => false)
        .then((played) => {
          this.#note({ announcement: played });
          if (played === 'failed') this.#failed('announcement');
          return played;
        });
      return;
    }
    // the notice plays in early media while the dealers ring; the bridge waits for its end
    if (recording)
      this.#notice = this.#anchor
        .notice(recording.notice, () => !this.#joining)
        .then((n) => {
          this.#noticed = n;
          return n;
        });
  }

  /**
   * A dealer answered: point FreeSWITCH at the dealer, whisper to the dealer, wait for the
   * caller's notice. `declined` when the dealer hangs up meanwhile (the caller is not connected
   * and hears ringback again while the next destination rings).
   */
  async prepare(
    dealerSdp: string | undefined,
    dealerGone: Promise<unknown>,
  ): Promise<'ready' | 'declined'> {
    const anchor = this.#anchor;
    if (!anchor) return 'ready';
    this.#joining = true;
    await step('modify', () => anchor.connectDealer(dealerSdp));
    const gone = dealerGone.then(() => 'gone' as const);
    const whisper = this.media.options.whisper;
    if (whisper) {
      const played = await Promise.race([anchor.whisper(whisper), gone]);
      if (played === 'gone') return this.#declined(anchor);
      this.#note({ whisper: played });
      if (played === 'failed') this.#failed('whisper');
    }
    if (this.media.recording && this.#notice) {
      // FreeSWITCH ending the caller's channel mid-notice must not hold the answered dealer
      const notice = await Promise.race([
        this.#notice,
        anchor.ended.then(() => 'failed' as const),
        gone,
      ]);
      if (notice === 'gone') return this.#declined(anchor);
      this.#note({ notice });
      if (notice === 'failed') this.#failed('notice');
    }
    return 'ready';
  }

  /**
   * A late-offer caller answered our offer in its ACK: point its endpoint at that answer, then
   * play the recording notice when it is to be connected to a dealer (it could not play before:
   * no early media without an offer).
   */
  async answered(callerAnswer: string, withNotice: boolean): Promise<void> {
    const anchor = this.#anchor;
    if (!anchor) return;
    await step('modify', () => anchor.updateCaller(callerAnswer));
    const recording = this.media.recording;
    if (withNotice && recording && !this.#notice) {
      const notice = await anchor.notice(recording.notice, () => false);
      this.#noticed = notice;
      this.#note({ notice });
      if (notice === 'failed') this.#failed('notice');
    }
  }

  /** Bridges caller and dealer and starts the recording. */
  async connect(): Promise<void> {
    const anchor = this.#anchor;
    if (!anchor) return;
    await step('bridge', () => anchor.bridge());
    // recorded only when the caller heard the notice
    const recording = this.media.recording;
    if (recording) await this.#record(anchor, recording, this.#noticed === 'played');
  }

  /** Notes a step that failed after the dealer answered (the call ends). */
  stepFailed(err: MediaStepError): void {
    this.#failed(err.step);
    this.#note({ error: `${err.step}-failed` });
  }

  async #declined(anchor: MediaAnchor): Promise<'declined'> {
    this.#joining = false;
    await anchor.stopWhisper();
    // without a notice still playing (it restarts the ringback itself when it ends)
    if (!this.#notice || this.#noticed) anchor.resumeRingback();
    return 'declined';
  }

  /**
   * Resolves when the closed number's announcement has played (or failed); at once when none
   * plays: not anchored, or a late-offer caller, who cannot get early media.
   */
  get announced(): Promise<unknown> {
    return this.#announced ?? Promise.resolve();
  }

  /**
   * Voicemail is taken when the number has it and the caller's leg is anchored and still up in
   * FreeSWITCH: a caller is never answered (and charged) for a message nobody can record.
   */
  get takesVoicemail(): boolean {
    return this.#anchor !== undefined && !this.#lost && this.media.voicemail !== undefined;
  }

  /**
   * Every destination failed and the caller is answered: greeting, beep, record up to the limit.
   * Ends when the message is recorded, or at once when `stop` resolves (the caller hung up,
   * drain). Whatever FreeSWITCH wrote is handed to the outbox, even after a media error: a
   * half message is still a message.
   */
  async voicemail(stop: Promise<unknown>): Promise<'left' | 'empty' | 'failed'> {
    const anchor = this.#anchor;
    const vm = this.media.voicemail;
    if (!anchor || !vm) return 'failed';
    let recorded: 'recorded' | 'failed' = 'failed';
    try {
      await vm.prepare();
      void stop.then(() => anchor.interrupt());
      recorded = await Promise.race([
        anchor.voicemail({ greeting: vm.greeting, path: vm.path, maxSeconds: vm.maxSeconds }),
        // FreeSWITCH dropping the channel never completes the record app
        anchor.ended.then(() => 'failed' as const),
      ]);
    } catch (err) {
      this.logger.warn({ err, voicemail: vm.path }, 'voicemail failed');
    }
    const kept = await vm.complete();
    const result = kept === 'left' ? 'left' : recorded === 'failed' ? 'failed' : 'empty';
    if (recorded === 'failed') this.#failed('voicemail');
    this.#note({ voicemail: result });
    return result;
  }

  get callerSdp(): string | undefined {
    return this.#anchor?.callerSdp;
  }

  release(): Promise<void> {
    return this.#anchor?.release() ?? Promise.resolve();
  }

  async #record(anchor: MediaAnchor, recording: SessionRecording, noticed: boolean) {
    try {
      if (!noticed) throw new Error('the recording notice did not play');
      await recording.prepare();
      await anchor.record(recording.path);
      this.#note({ recording: recording.file });
    } catch (err) {
      this.#note({ recording: 'failed' });
      this.#failed('record');
      this.logger.warn({ err, recording: recording.path }, 'recording failed');
    }
  }

  #note(what: Partial<MediaUse>): void {
    this.#use = { ...this.#use, anchored: true, ...what };
  }

  #failed(step: string): void {
    this.media.onError?.(step);
  }
}

async function step(name: string, run: () => Promise<unknown>): Promise<void> {
  try {
    await run();
  } catch (err) {
    throw new MediaStepError(name, err);
  }
}

/** The record's code for an anchor that did not happen. */
function anchorError(err: unknown): string {
  if (err instanceof DeadlineError) return 'anchor-timeout';
  if (err instanceof MediaBusyError) return 'anchor-busy';
  return 'anchor-failed';
}
