/**
 * A call's record as it is finished, whatever ended the call: its end time and the session's
 * result added, the call counted once in the metrics, the record handed to the sink.
 */
import type { Metrics } from '../observability/metrics.js';
import { isoString } from '../util/iso-time.js';
import type { Writable } from '../util/writable.js';
import type { MediaUse } from './media-port.js';
import type { CallRecord, RecordSink } from './record.js';
import type { SessionResult } from './session-types.js';

export type RecordServices = { metrics: Metrics; sink: RecordSink; now: () => number };

/** The session's result as record fields: outcome, attempts, the times the caller rang and talked. */
export type Timing = Pick<
  CallRecord,
  | 'outcome'
  | 'sipStatus'
  | 'attempts'
  | 'endedAt'
  | 'destinationIndex'
  | 'destination'
  | 'answeredAt'
  | 'ringMs'
  | 'talkMs'
  | 'endedBy'
  | 'media'
  | 'transfer'
>;

/**
 * Stored into `into` (the record being built) by plain stores, not conditional spreads: every
 * call makes one, and V8 copies a spread into a literal property by property through its
 * runtime (issue 16, CPU per call).
 */
export function timing<T extends object>(
  r: SessionResult,
  started: number,
  ended: number,
  into: T,
): T & Timing {
  const t = into as Writable<Timing> & T;
  t.outcome = r.outcome;
  t.sipStatus = r.sipStatus;
  t.attempts = r.attempts;
  t.endedAt = isoString(ended);
  if (r.destinationIndex !== undefined) t.destinationIndex = r.destinationIndex;
  if (r.destination !== undefined) t.destination = r.destination;
  if (r.answeredAt !== undefined) {
    t.answeredAt = isoString(r.answeredAt);
    t.ringMs = r.answeredAt - started;
    t.talkMs = ended - r.answeredAt;
  } else t.ringMs = ended - started;
  if (r.endedBy) t.endedBy = r.endedBy;
  if (r.media) t.media = r.media;
  if (r.transfer) t.transfer = r.transfer;
  return t;
}

/** The record completed (its end time, unless it has one), counted once, handed to the sink. */
export function finish(
  s: RecordServices,
  partial: Omit<CallRecord, 'endedAt'> & { endedAt?: string },
): CallRecord {
  const record: CallRecord =
    partial.endedAt === undefined
      ? { ...partial, endedAt: isoString(s.now()) }
      : (partial as CallRecord);
  s.metrics.calls.inc({ source: record.source ?? 'none', outcome: record.outcome });
  for (const a of record.attempts) s.metrics.attempts.inc({ cause: a.cause });
  if (record.endedBy) s.metrics.callEnds.inc({ ended_by: record.endedBy });
  if (record.outcome === 'answered' && record.talkMs !== undefined)
    s.metrics.callDuration.observe(record.talkMs / 1000);
  if (record.transfer) s.metrics.transfers.inc({ result: record.transfer.result });
  if (record.afterHours) s.metrics.closedCalls.inc(record.afterHours);
  if (record.media) countMedia(s.metrics, record.media);
  if (record.outcome === 'rejected')
    s.metrics.rejects.inc({ reason: record.rejectReason ?? 'unknown' });
  s.sink.write(record);
  s.metrics.records.inc();
  return record;
}

function countMedia(metrics: Metrics, media: MediaUse): void {
  if (media.whisper) metrics.mediaOutcomes.inc({ step: 'whisper', result: media.whisper });
  if (media.recording)
    metrics.mediaOutcomes.inc({
      step: 'recording',
      result: media.recording === 'failed' ? 'failed' : 'recorded',
    });
  if (media.voicemail) metrics.mediaOutcomes.inc({ step: 'voicemail', result: media.voicemail });
}
