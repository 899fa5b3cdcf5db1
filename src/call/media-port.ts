/**
 * What the call path needs from a media server, as plain interfaces: `media/` implements them
 * with drachtio-fsmrf, so CallSession holds no fsmrf value. A call anchored in media has two
 * endpoints: the caller's (early media, then bridged) and the dealer's (offered to each
 * destination in turn).
 */

/** How a prompt is given in a dialplan: an audio file or a FreeSWITCH tone spec. */
export type Prompt = { file?: string; tone?: string };

/** What media did for one call, as the call record notes it. */
export type MediaUse = {
  anchored: boolean;
  whisper?: 'played' | 'failed';
  /** The recording notice played to the caller before the bridge. */
  notice?: 'played' | 'failed';
  /** The closed number's announcement, played to the caller in early media before the 480. */
  announcement?: 'played' | 'failed';
  /** The recording's file name (in RECORDING_DIR), or 'failed'. */
  recording?: string;
  /**
   * Every destination failed and the number has voicemail: `left` (recorded and queued for
   * e-mail), `empty` (the caller left nothing), `failed` (media server error).
   */
  voicemail?: 'left' | 'empty' | 'failed';
  /** Why the call was not anchored or media failed (no healthy server, endpoint error). */
  error?: string;
};

export interface MediaAnchor {
  /** FreeSWITCH's SDP towards the caller: sent with the 183 and again with the 200. */
  readonly callerSdp: string;
  /** FreeSWITCH's SDP offered to every destination (and to a transfer target). */
  readonly dealerSdp: string;
  /** Resolves once if FreeSWITCH ends one of the call's channels (not when we release). */
  readonly ended: Promise<void>;
  /** The dealer answered with this SDP: point the dealer endpoint at it. */
  connectDealer(sdp: string | undefined): Promise<void>;
  /** Plays a prompt to the dealer alone; never throws. */
  whisper(prompt: Prompt): Promise<'played' | 'failed'>;
  /** Ends a whisper still playing (the dealer hung up); never throws. */
  stopWhisper(): Promise<void>;
  /**
   * Starts the caller's ringback again unless it plays (a dealer hung up during the whisper and
   * the next one rings). Only while nothing else plays to the caller.
   */
  resumeRingback(): void;
  /**
   * The caller's media changed (a re-INVITE or UPDATE with SDP, or a late offer's answer): point
   * the caller's endpoint at it; resolves with FreeSWITCH's answer.
   */
  updateCaller(sdp: string): Promise<string>;
  /** The same for the dealer's endpoint (a dealer's re-INVITE, or a transfer target's SDP). */
  updateDealer(sdp: string): Promise<string>;
  /**
   * Plays a prompt to the caller alone (early media), then starts the ringback unless
   * `ringbackAfter()` says no (a dealer answered meanwhile: a ringback sent right before the
   * bridge could start after it, on a bridged leg); resolves when the prompt has played. Only for
   * anchors made with `{ ringback: false }`. Never throws.
   */
  notice(prompt: Prompt, ringbackAfter: () => boolean): Promise<'played' | 'failed'>;
  /** Joins the two endpoints (stops the caller's ringback). */
  bridge(): Promise<void>;
  /** Records both sides of the bridged call (record_session, never `record`) into this path. */
  record(path: string): Promise<void>;
  /**
   * Voicemail on the caller's endpoint, answered by then: ringback off, greeting, beep, record up
   * to `maxSeconds`. Resolves when the recording ended (limit, interrupt); a missing greeting
   * only skips the greeting. `failed` when FreeSWITCH could not record. Never throws.
   */
  voicemail(v: {
    greeting: Prompt;
    path: string;
    maxSeconds: number;
  }): Promise<'recorded' | 'failed'>;
  /** Ends a running greeting or recording at once (the caller hung up); never throws. */
  interrupt(): Promise<void>;
  /** Releases both endpoints; safe to call twice, bounded in time, never throws. */
  release(): Promise<void>;
}

/**
 * Every connected media server has as many anchors in progress as it may take: the call goes on
 * without media at once instead of queueing behind work FreeSWITCH has not finished.
 */
export class MediaBusyError extends Error {
  constructor() {
    super('every media server is busy anchoring (MEDIA_ANCHOR_MAX_PENDING reached)');
    this.name = 'MediaBusyError';
  }
}

export interface MediaPort {
  /**
   * Anchors the caller's offer and starts ringback (unless `ringback: false`: a notice comes
   * first); rejects when no media server can, with MediaBusyError when every one is busy. Without
   * an offer (a late-offer caller) the caller's endpoint is made from a plain RTP offer of ours,
   * and `callerSdp` is our offer to the caller.
   */
  anchor(callerSdp: string | undefined, opts?: { ringback?: boolean }): Promise<MediaAnchor>;
}

/** A number's recording option as the dialplan gives it. */
export type RecordingOption = { enabled: boolean; retentionDays: number; noticeFile?: string };

/** A number's voicemail option as the dialplan gives it. */
export type VoicemailOption = { email: string; maxSeconds?: number; greetingFile?: string };

/** Which numbers need media: whisper, recording, voicemail. */
export type MediaOptions = {
  whisper?: Prompt;
  recording?: RecordingOption;
  voicemail?: VoicemailOption;
};

export function needsMedia(options: MediaOptions): boolean {
  return (
    options.whisper !== undefined ||
    options.recording?.enabled === true ||
    options.voicemail !== undefined
  );
}
