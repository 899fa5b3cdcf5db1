/**
 * CallRecord → StreamRecord: what analytics may keep of a call. No caller number, raw or hashed
 * with a constant key. With a secret configured, a pseudonym lets analytics count repeat callers
 * within one day: HMAC(dailyKey, number) with dailyKey = HMAC(secret, day). Without the secret it
 * cannot be reversed, and two days' pseudonyms of one caller cannot be linked. The daily key
 * lives only in memory, for the day it belongs to.
 */
import { createHmac } from 'node:crypto';
import type { MediaUse } from '../call/media-port.js';
import type { Attempt, CallRecord } from '../call/record.js';
import { classify } from '../numbering/classify.js';
import { localDay } from './day.js';
import type { CallerCountry, CallerKind, RecordingState, StreamRecord } from './entry.js';

export type Anonymiser = (record: CallRecord) => StreamRecord;

/** A caller's pseudonym on the local day of `startedAt`; the day's key is made once a day. */
export function pseudonymiser(secret: string): (number: string, startedAt: string) => string {
  let keyDay = '';
  let key: Buffer | undefined;
  return (number, startedAt) => {
    const day = localDay(startedAt);
    if (day !== keyDay || !key) {
      key = createHmac('sha256', secret).update(`calltrack-caller-pseudonym:${day}`).digest();
      keyDay = day;
    }
    return createHmac('sha256', key).update(number).digest('hex').slice(0, 20);
  };
}

export function createAnonymiser(pseudonymSecret: string | undefined): Anonymiser {
  const pseudonymOf = pseudonymiser(pseudonymSecret ?? '');
  return (r) => {
    const caller = callerClass(r);
    const pseudonym =
      pseudonymSecret && r.callerNumber ? pseudonymOf(r.callerNumber, r.startedAt) : '';
    const m = mediaFields(r.media);
    // one literal, no spread: V8 defines every property after a spread through its runtime, and
    // each call is anonymised twice (journal entry, record): issue 16, CPU per call
    return {
      id: r.recordId,
      node: r.nodeId,
      dialplanVersion: r.dialplanVersion,
      trackingNumber: r.trackingNumber ?? '',
      customer: r.customerId ?? '',
      source: r.source ?? '',
      destinationIndex: r.destinationIndex === undefined ? '' : String(r.destinationIndex),
      outcome: r.outcome,
      rejectReason: r.rejectReason ?? '',
      sipStatus: String(r.sipStatus),
      startedAt: r.startedAt,
      answeredAt: r.answeredAt ?? '',
      endedAt: r.endedAt,
      ringMs: r.ringMs === undefined ? '' : String(r.ringMs),
      talkMs: String(r.talkMs ?? 0),
      callerCountry: caller.country,
      callerKind: caller.kind,
      callerWithheld: r.callerWithheld ? '1' : '0',
      callerPseudonym: pseudonym,
      media: m.media,
      whisper: m.whisper,
      recording: m.recording,
      voicemail: m.voicemail,
      mediaError: m.mediaError,
      announcement: m.announcement,
      endedBy: r.endedBy ?? '',
      transfer: r.transfer?.result ?? '',
      attempts: r.attempts.map(attemptText).join(' '),
      afterHours: r.afterHours?.why ?? '',
      closedAction: r.afterHours?.action ?? '',
    };
  };
}

const KINDS: Record<string, CallerKind> = {
  geographic: 'fixed',
  mobile: 'mobile',
  'toll-free': 'other',
  other: 'other',
  invalid: 'unknown',
};

function callerClass(r: CallRecord): { country: CallerCountry; kind: CallerKind } {
  if (!r.callerNumber) return { country: 'unknown', kind: 'unknown' };
  const c = classify(r.callerNumber);
  if (c.kind === 'invalid')
    return { country: c.country === 'other' ? 'unknown' : c.country, kind: 'unknown' };
  return { country: c.country, kind: KINDS[c.kind] ?? 'other' };
}

type MediaFields = Pick<
  StreamRecord,
  'media' | 'whisper' | 'recording' | 'voicemail' | 'mediaError' | 'announcement'
>;

/**
 * What media did, as outcomes only: whether the call was recorded, not the file's name (the
 * record id names it), and the error as a short code, never a message that might quote the call.
 */
const NO_MEDIA: MediaFields = Object.freeze({
  media: '',
  whisper: '',
  recording: '',
  voicemail: '',
  mediaError: '',
  announcement: '',
});

function mediaFields(m: MediaUse | undefined): MediaFields {
  if (!m) return NO_MEDIA;
  return {
    media: m.anchored ? 'anchored' : 'unanchored',
    whisper: m.whisper ?? '',
    recording: recordingState(m),
    voicemail: m.voicemail ?? '',
    mediaError: m.error ? errorCode(m.error) : '',
    announcement: m.announcement ?? '',
  };
}

/** A notice that did not play means the call was not recorded. */
function recordingState(m: MediaUse): RecordingState {
  if (m.notice === 'failed' || m.recording === 'failed') return 'failed';
  return m.recording ? 'recorded' : '';
}

/** Error codes (`anchor-failed`, `bridge-failed`) as they are; anything else as `other`. */
function errorCode(error: string): string {
  return /^[a-z][a-z0-9-]{0,39}$/.test(error) ? error : 'other';
}

/** `1.0:487:completed-elsewhere`, `0r1:486:busy`: where, what status, what it meant; never whom. */
function attemptText(a: Attempt): string {
  const member = a.member === undefined ? '' : `.${a.member}`;
  const hop = a.redirect === undefined ? '' : `r${a.redirect}`;
  return `${a.index}${member}${hop}:${a.status}:${a.cause}`;
}
