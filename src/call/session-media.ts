/**
 * What media a routed call gets, from its number's options and the gateway's media services:
 * the recording (notice, file, sidecar for the sweeper) and the voicemail (greeting, limit,
 * the outbox note that gets the message mailed).
 */
import { audioFile, audioPath } from '../recordings/audio-files.js';
import { writeSidecar } from '../recordings/store.js';
import type { ForwardDecision } from '../routing/decision.js';
import type { VoicemailOutbox } from '../voicemail/outbox.js';
import type { MediaOptions, MediaPort, Prompt, RecordingOption } from './media-port.js';
import type { CallRecord } from './record.js';

export type CallMedia = {
  port: MediaPort;
  onError: (step: string) => void;
  /** How long FreeSWITCH may take to anchor a call before it goes on without media. */
  anchorTimeoutMs: number;
  /** Where recordings go and the notice played when a number records without its own. */
  recordings?: { dir: string; noticeFile: string };
  /** Set when SMTP is configured: numbers with voicemail take messages after all failed. */
  voicemail?: {
    dir: string;
    greetingFile: string;
    maxSeconds: number;
    outbox: Pick<VoicemailOutbox, 'prepare' | 'complete'>;
  };
};

/** What the media steps of one call (media-flow.ts) are given. */
export type SessionMedia = {
  port: MediaPort;
  /** How long FreeSWITCH may take to anchor a call before it goes on without media. */
  anchorTimeoutMs: number;
  options: MediaOptions;
  onError?: (step: string) => void;
  /** Set when the number records: notice to the caller first, record_session after the bridge. */
  recording?: SessionRecording;
  /** Set when the number takes voicemail after every destination failed. */
  voicemail?: SessionVoicemail;
  /** Set when the number is closed and announces it: played in early media, no ringback. */
  announcement?: Prompt;
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

/** The voicemail of one call: greeting, limit, and the outbox that mails the message. */
export type SessionVoicemail = {
  greeting: Prompt;
  maxSeconds: number;
  /** Absolute path FreeSWITCH records the message into. */
  path: string;
  /** Notes who gets the message before recording starts (a crash mid-message still delivers). */
  prepare: () => Promise<void>;
  /**
   * The recording ended: queue what FreeSWITCH wrote for e-mail (`left`) or clear the note when
   * it wrote nothing (`empty`). Never throws: what cannot be queued now stays for the outbox.
   */
  complete: () => Promise<'left' | 'empty'>;
};

type CallIds = Pick<CallRecord, 'recordId' | 'startedAt' | 'callerNumber'>;

/** The media a routed call gets from its number's options. */
export function sessionMedia(
  media: CallMedia,
  base: CallIds,
  decision: ForwardDecision,
): SessionMedia {
  const recording = recordingOf(media.recordings, base, decision, decision.options.recording);
  const voicemail = voicemailOf(media.voicemail, base, decision);
  return {
    port: media.port,
    onError: media.onError,
    anchorTimeoutMs: media.anchorTimeoutMs,
    options: decision.options,
    ...(recording && { recording }),
    ...(voicemail && { voicemail }),
  };
}

/** A number that records: notice, `<recordId>.wav` and its sidecar for the sweeper. */
function recordingOf(
  where: { dir: string; noticeFile: string } | undefined,
  base: CallIds,
  decision: ForwardDecision,
  option: RecordingOption | undefined,
): SessionRecording | undefined {
  if (!option?.enabled || !where) return undefined;
  const meta = {
    recordId: base.recordId,
    trackingNumber: decision.number,
    customer: decision.customerId,
    retentionDays: option.retentionDays,
    startedAt: base.startedAt,
  };
  return {
    notice: { file: option.noticeFile ?? where.noticeFile },
    path: audioPath(where.dir, base.recordId),
    file: audioFile(base.recordId),
    prepare: () => writeSidecar(where.dir, meta),
  };
}

/** A number with voicemail: greeting, limit, `<recordId>.wav` and its note for the outbox. */
function voicemailOf(
  where: CallMedia['voicemail'],
  base: CallIds,
  decision: ForwardDecision,
): SessionVoicemail | undefined {
  const option = decision.options.voicemail;
  if (!option || !where) return undefined;
  const { recordId } = base;
  return {
    greeting: { file: option.greetingFile ?? where.greetingFile },
    maxSeconds: option.maxSeconds ?? where.maxSeconds,
    path: audioPath(where.dir, recordId),
    prepare: () =>
      where.outbox.prepare({
        recordId,
        to: option.email,
        trackingNumber: decision.number,
        source: decision.source,
        customerId: decision.customerId,
        startedAt: base.startedAt,
        ...(base.callerNumber && { callerNumber: base.callerNumber }),
      }),
    complete: () => where.outbox.complete(recordId),
  };
}
