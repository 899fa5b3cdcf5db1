/**
 * A customer's call history from the record stream, page by page (stream-pages.ts) over the
 * stream-id window of the period (`streamWindow`), filtered by customer and by the record's own
 * start day. Only one page and the ids already exported (a replayed duplicate appears once) are
 * held in memory.
 */
import type { RedisClient } from '../redis/connect.js';
import { localDay } from './day.js';
import { streamWindow } from './day-range.js';
import { fromFields, type StreamRecord } from './entry.js';
import { type OnStreamRead, streamPages } from './stream-pages.js';

export type ExportQuery = {
  stream: string;
  customer: string;
  from: string;
  to: string;
  pageSize?: number;
  /** Days after the period in which its records may still have been added (long calls, spool replay). */
  lateDays?: number;
};

export const EXPORT_LATE_DAYS = 7;

/** Progress of the read: see stream-pages.ts. */
export type OnExportRead = OnStreamRead;

/** Yields each page's matching records, in stream order; a replayed duplicate appears once. */
export function exportPages(
  redis: RedisClient,
  q: ExportQuery,
  onRead?: OnExportRead,
): AsyncGenerator<StreamRecord[]> {
  const window = streamWindow(q.from, q.to, q.lateDays ?? EXPORT_LATE_DAYS);
  const seen = new Set<string>();
  const keep = (fields: string[]) => {
    const r = fromFields(fields);
    if (r.customer !== q.customer || seen.has(r.id) || !startsOnDays(r.startedAt, q.from, q.to))
      return;
    seen.add(r.id);
    return r;
  };
  return streamPages(redis, q.stream, window, keep, {
    ...(q.pageSize !== undefined && { pageSize: q.pageSize }),
    ...(onRead && { onRead }),
  });
}

/** Whether a record's start (ISO) falls on one of the local days `from`…`to`. */
export function startsOnDays(startedAt: string, from: string, to: string): boolean {
  const ms = Date.parse(startedAt);
  if (Number.isNaN(ms)) return false;
  const day = localDay(ms);
  return day >= from && day <= to;
}

/**
 * The exported columns, in order. Node, dialplan version and caller pseudonym stay internal, as
 * do media anchoring, media error codes and what ended a call (operations detail); whisper,
 * recording, voicemail and transfer outcomes are the dealer's.
 */
export const EXPORT_COLUMNS = [
  'id',
  'start',
  'answer',
  'end',
  'tracking_number',
  'source',
  'outcome',
  'reject_reason',
  'sip_status',
  'destination_index',
  'ring_ms',
  'talk_ms',
  'caller_country',
  'caller_kind',
  'caller_withheld',
  'whisper',
  'recording',
  'voicemail',
  'transfer',
  'after_hours',
  'closed_action',
] as const;

export type ExportRow = Record<(typeof EXPORT_COLUMNS)[number], string | number | boolean | null>;

/**
 * A record as exported: absent values null (media outcomes of a call without media, or of an
 * entry written before they were recorded), counts as numbers, withheld as a boolean.
 */
export function exportRow(r: StreamRecord): ExportRow {
  return {
    ...callTimes(r),
    source: r.source,
    outcome: r.outcome,
    reject_reason: r.rejectReason || null,
    sip_status: int(r.sipStatus),
    destination_index: int(r.destinationIndex),
    ring_ms: int(r.ringMs),
    talk_ms: int(r.talkMs),
    caller_country: r.callerCountry,
    caller_kind: r.callerKind,
    caller_withheld: r.callerWithheld === '1',
    whisper: r.whisper || null,
    recording: r.recording || null,
    voicemail: r.voicemail || null,
    transfer: r.transfer || null,
    after_hours: r.afterHours || null,
    closed_action: r.closedAction || null,
  };
}

function int(text: string): number | null {
  return /^-?[0-9]+$/.test(text) ? Number(text) : null;
}

type Timed = {
  id: string;
  startedAt: string;
  answeredAt: string;
  endedAt: string;
  trackingNumber: string;
};

/** The first columns of every export (call history and traffic): the call, when, which number. */
export function callTimes(r: Timed) {
  return {
    id: r.id,
    start: r.startedAt,
    answer: r.answeredAt || null,
    end: r.endedAt || null,
    tracking_number: r.trackingNumber || null,
  };
}
