/**
 * A call's record as it is finished, whatever ended the call: its end time and the session's
 * result added, the call counted once in the metrics, the record handed to the sink.
 */
import type { Metrics } from '../observability/metrics.js';
import type { MediaUse } from './media-port.js';
import type { CallRecord, RecordSink } from './record.js';
import type { SessionResult } from './session-types.js';

export type RecordServices = { metrics: Metrics; sink: RecordSink; now: () => number };

/** The session's result as record fields: outcome, attempts, the times the caller rang and talked. */
export function timing(r: SessionResult, started: number, ended: number) {
  return {
    outcome: r.outcome,
    sipStatus: r.sipStatus,
    attempts: r.attempts,
    endedAt: new Date(ended).toISOString(),
    ...(r.destinationIndex !== undefined && { destinationIndex: r.destinationIndex }),
    ...(r.destination !== undefined && { destination: r.destination }),
    ...(r.answeredAt !== undefined && {
      answeredAt: new Date(r.answeredAt).toISOString(),
      ringMs: r.answeredAt - started,
      talkMs: ended - r.answeredAt,
    }),
    ...(r.answeredAt === undefined && { ringMs: ended - started }),
    ...(r.endedBy && { endedBy: r.endedBy }),
    ...(r.media && { media: r.media }),
    ...(r.transfer && { transfer: r.transfer }),
  };
}

/** The record completed (its end time, unless it has one), counted once, handed to the sink. */
export function finish(
  s: RecordServices,
  partial: Omit<CallRecord, 'endedAt'> & { endedAt?: string },
): CallRecord {
  const record: CallRecord = {
    ...partial,
    endedAt: partial.endedAt ?? new Date(s.now()).toISOString(),
  };
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
