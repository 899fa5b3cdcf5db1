/**
 * What media a routed call gets, from its number's options and the gateway's media services:
 * the recording (notice, file, sidecar for the sweeper) and the voicemail (greeting, limit,
 * the outbox note that gets the message mailed).
 */
import { audioFile, audioPath } from '../recordings/audio-files.js';
import { writeSidecar } from '../recordings/store.js';
import type { ForwardDecision } from '../routing/decision.js';
import type { VoicemailOutbox } from '../voicemail/outbox.js';
import type { SessionMedia, SessionRecording, SessionVoicemail } from './media-flow.js';
import type { MediaPort, RecordingOption } from './media-port.js';
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
