/**
 * A customer's call history from the record stream, page by page: XRANGE over the stream-id
 * window of the period (`streamWindow`), `pageSize` entries per round trip, filtered by customer
 * and by the record's own start day. Only one page and the ids already exported (a replayed
 * duplicate appears once) are held in memory.
 */
import type { Redis } from 'ioredis';
import { localDay } from './day.js';
import { streamWindow } from './day-range.js';
import { fromFields, type StreamRecord } from './entry.js';

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

/**
 * After each page read, whether it held any of the customer's records or not: the entries read
 * so far and the share of the window's entries (by their time) behind the page.
 */
export type OnExportRead = (read: { entries: number; position: number }) => void;

/** Yields each page's matching records, in stream order. */
export async function* exportPages(
  redis: Redis,
  q: ExportQuery,
  onRead?: OnExportRead,
): AsyncGenerator<StreamRecord[]> {
  const { start, end } = streamWindow(q.from, q.to, q.lateDays ?? EXPORT_LATE_DAYS);
  const count = q.pageSize ?? 1000;
  const seen = new Set<string>();
  const position = onRead && (await positionIn(redis, q.stream, start, end));
  let cursor = start;
  let entries = 0;
  for (;;) {
    const page = await redis.xrange(q.stream, cursor, end, 'COUNT', count);
    entries += page.length;
    if (position && page.length > 0) onRead({ entries, position: position(page.at(-1)![0]) });
    const out: StreamRecord[] = [];
    for (const [, fields] of page) {
      const r = fromFields(fields);
      if (r.customer !== q.customer || seen.has(r.id) || !startsWithin(r, q.from, q.to)) continue;
      seen.add(r.id);
      out.push(r);
    }
    if (out.length > 0) yield out;
    if (page.length < count) return;
    cursor = `(${page.at(-1)![0]}`;
  }
}

/**
 * The share of the window behind an entry id, by time. The window ends days after the period (or
 * in the future); its last entry is where the read ends, so that is 100%. One extra round trip.
 */
async function positionIn(
  redis: Redis,
  stream: string,
  start: string,
  end: string,
): Promise<(id: string) => number> {
  const [last] = await redis.xrevrange(stream, end, start, 'COUNT', 1);
  const from = Number(start);
  const span = last ? msOf(last[0]) - from : 0;
  return (id) => (span > 0 ? (msOf(id) - from) / span : 1);
}

function msOf(id: string): number {
  return Number.parseInt(id, 10);
}

function startsWithin(r: StreamRecord, from: string, to: string): boolean {
  const ms = Date.parse(r.startedAt);
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
    id: r.id,
    start: r.startedAt,
    answer: r.answeredAt || null,
    end: r.endedAt || null,
    tracking_number: r.trackingNumber || null,
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
