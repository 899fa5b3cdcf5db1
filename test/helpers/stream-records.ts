/** Stream records for analytics, report and export tests, written the way the writer writes them. */
import type { Redis } from 'ioredis';
import { Redis as RedisClient } from 'ioredis';
import type { Test } from 'tap';
import { type StreamRecord, toFields } from '../../src/records/entry.js';

let next = 0;

/** An answered call of `autohaus-mueller` on mobile.de unless `over` says otherwise. */
export function streamRecord(over: Partial<StreamRecord> = {}): StreamRecord {
  next++;
  const startedAt = over.startedAt ?? '2026-11-20T10:00:00.000Z';
  return {
    id: `rec-${next}`,
    node: 'node-a',
    dialplanVersion: 'v1',
    trackingNumber: '+493025550101',
    customer: 'autohaus-mueller',
    source: 'mobile.de',
    destinationIndex: '0',
    outcome: 'answered',
    rejectReason: '',
    sipStatus: '200',
    startedAt,
    answeredAt: startedAt,
    endedAt: startedAt,
    ringMs: '3000',
    talkMs: '60000',
    callerCountry: 'DE',
    callerKind: 'mobile',
    callerWithheld: '0',
    callerPseudonym: '',
    media: '',
    whisper: '',
    recording: '',
    voicemail: '',
    mediaError: '',
    endedBy: '',
    transfer: '',
    attempts: '0:200:answered',
    afterHours: '',
    closedAction: '',
    announcement: '',
    ...over,
  };
}

/**
 * XADDs the records in order; the stream id's time is `idMs` or, by default, the record's end
 * time, as if the writer added it when the call ended (never below the previous entry's).
 */
export async function addRecords(
  redis: Redis,
  stream: string,
  records: readonly StreamRecord[],
  idMs?: (r: StreamRecord, i: number) => number,
): Promise<void> {
  const pipeline = redis.pipeline();
  let last = 0;
  records.forEach((r, i) => {
    last = Math.max(last, idMs ? idMs(r, i) : Date.parse(r.endedAt));
    pipeline.xadd(stream, `${last}-*`, ...toFields(r));
  });
  for (const [err] of (await pipeline.exec()) ?? []) if (err) throw err;
}

/** A client for the test's own reads and writes, closed at teardown. */
export function client(t: Test, url: string): Redis {
  const redis = new RedisClient(url);
  t.teardown(() => redis.disconnect());
  return redis;
}

/** The last ten XADD values of an entry: the media fields with these values, in stream order. */
export function mediaTail(
  media: string,
  whisper: string,
  recording: string,
  voicemail: string,
  error: string,
): string[] {
  return [
    'media',
    media,
    'whisper',
    whisper,
    'recording',
    recording,
    'voicemail',
    voicemail,
    'media_error',
    error,
  ];
}
