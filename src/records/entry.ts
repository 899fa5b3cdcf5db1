/**
 * The anonymised call record as it is stored in the Redis stream: flat string fields, one entry
 * per call. The caller appears only as a coarse class and, when configured, a per-day pseudonym.
 * This module is the one definition of the format: writer, analytics and export all use it.
 */
import { flatCodec } from './flat-fields.js';

export type CallerCountry = 'DE' | 'AT' | 'other' | 'unknown';
export type CallerKind = 'fixed' | 'mobile' | 'other' | 'unknown';
/** The call's media outcomes; '' for a call without media (and in entries written before them). */
export type MediaState = '' | 'anchored' | 'unanchored';
export type WhisperState = '' | 'played' | 'failed';
/** 'recorded' when a recording was made (the file is `<id>.wav`, its name is not stored). */
export type RecordingState = '' | 'recorded' | 'failed';
export type VoicemailState = '' | 'left' | 'empty' | 'failed';
/** The dealer's blind transfer: '' when there was none (and in entries written before it). */
export type TransferState = '' | 'completed' | 'failed';
/** Why the number was closed when the call came; '' when it was open (or had no hours). */
export type AfterHoursState = '' | 'hours' | 'holiday' | 'closed-date';
/** What a closed number did: refuse (480), announcement then 480, voicemail, destinations. */
export type ClosedActionState = '' | 'refuse' | 'announcement' | 'voicemail' | 'destinations';
export type AnnouncementState = '' | 'played' | 'failed';

export type StreamRecord = {
  /** Record id, unique per call; consumers drop duplicates by it. */
  id: string;
  node: string;
  dialplanVersion: string;
  trackingNumber: string;
  customer: string;
  source: string;
  destinationIndex: string;
  outcome: string;
  rejectReason: string;
  sipStatus: string;
  startedAt: string;
  answeredAt: string;
  endedAt: string;
  ringMs: string;
  talkMs: string;
  callerCountry: CallerCountry;
  callerKind: CallerKind;
  callerWithheld: '0' | '1';
  callerPseudonym: string;
  media: MediaState;
  whisper: WhisperState;
  recording: RecordingState;
  voicemail: VoicemailState;
  /** A short error code such as `anchor-failed` or `bridge-failed`. */
  mediaError: string;
  /**
   * Who or what ended a call that reached a dealer: caller, dealer, gateway, max-duration, …;
   * `node-lost` when its gateway died and another (or its restart) wrote it from the call journal.
   */
  endedBy: string;
  transfer: TransferState;
  /**
   * Every dealer attempt in order, space-separated `index[.member][rHOP]:status:cause`: the
   * destination's index, the member inside a ringAll group, the redirect hop. No number or URI.
   */
  attempts: string;
  afterHours: AfterHoursState;
  closedAction: ClosedActionState;
  announcement: AnnouncementState;
};

/**
 * Stream field names, short to keep entries small; the order is the order written. New fields go
 * at the end; consumers read by name, and a field an older entry lacks reads as ''.
 */
export const FIELDS: Readonly<Record<keyof StreamRecord, string>> = {
  id: 'id',
  node: 'node',
  dialplanVersion: 'dialplan',
  trackingNumber: 'number',
  customer: 'customer',
  source: 'source',
  destinationIndex: 'dest',
  outcome: 'outcome',
  rejectReason: 'reason',
  sipStatus: 'status',
  startedAt: 'start',
  answeredAt: 'answer',
  endedAt: 'end',
  ringMs: 'ring_ms',
  talkMs: 'talk_ms',
  callerCountry: 'caller_country',
  callerKind: 'caller_kind',
  callerWithheld: 'withheld',
  callerPseudonym: 'pseudonym',
  media: 'media',
  whisper: 'whisper',
  recording: 'recording',
  voicemail: 'voicemail',
  mediaError: 'media_error',
  endedBy: 'ended_by',
  transfer: 'transfer',
  attempts: 'attempts',
  afterHours: 'after_hours',
  closedAction: 'closed_action',
  announcement: 'announcement',
};

const codec = flatCodec<StreamRecord>(FIELDS);

/** `[field, value, …]` for XADD; a field an older spooled record lacks is written as ''. */
export const toFields = codec.toFields;
/** An XRANGE/XREADGROUP entry's field list back into a record; unknown fields are ignored. */
export const fromFields = codec.fromFields;
