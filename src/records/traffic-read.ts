/**
 * Reading the traffic stream: a customer's records over local days (billing, the customer's own
 * history) or a tracking number's over an exact time window (a lawful request). Records are
 * added when their call ends, so a stream id is never before the call's start: the stream-id
 * window opens a day before the first instant (clock skew between gateway and Redis) and stays
 * open EXPORT_LATE_DAYS past the last (long calls, records replayed from a writer's spool); each
 * record is then chosen by its own start time.
 *
 * The whole answer is collected before anything leaves: its audit entry names how many records
 * it holds, and no entry means no answer. A customer's traffic over a billing period is small
 * (a few hundred bytes per call); the stream's retention (at most 180 days) bounds it.
 */
import type { RedisClient } from '../redis/connect.js';
import { streamWindow } from './day-range.js';
import { EXPORT_LATE_DAYS, startsOnDays } from './export.js';
import { type OnStreamRead, type StreamWindow, streamPages } from './stream-pages.js';
import { fromTrafficFields, type TrafficRecord } from './traffic-entry.js';

const DAY_MS = 86_400_000;

export type TrafficSelection =
  /** Local days (Europe/Berlin) `from`…`to`, both included. */
  | { kind: 'customer'; customer: string; from: string; to: string }
  /** Milliseconds since the epoch, both included. */
  | { kind: 'number'; number: string; fromMs: number; toMs: number };

export function trafficWindow(s: TrafficSelection): StreamWindow {
  if (s.kind === 'customer') return streamWindow(s.from, s.to, EXPORT_LATE_DAYS);
  return {
    start: String(Math.max(0, s.fromMs - DAY_MS)),
    end: String(s.toMs + EXPORT_LATE_DAYS * DAY_MS),
  };
}

export function trafficMatches(s: TrafficSelection, r: TrafficRecord): boolean {
  if (s.kind === 'customer')
    return r.customer === s.customer && startsOnDays(r.startedAt, s.from, s.to);
  const ms = Date.parse(r.startedAt);
  return r.trackingNumber === s.number && ms >= s.fromMs && ms <= s.toMs;
}

/**
 * Every selected record, oldest start first; one that appears twice (replayed) once. `onRead`
 * after each page, as stream-pages.ts reports it.
 */
export async function readTraffic(
  redis: RedisClient,
  stream: string,
  selection: TrafficSelection,
  options: { pageSize?: number; onRead?: OnStreamRead } = {},
): Promise<TrafficRecord[]> {
  const seen = new Set<string>();
  const keep = (fields: string[]) => {
    const r = fromTrafficFields(fields);
    if (seen.has(r.id) || !trafficMatches(selection, r)) return;
    seen.add(r.id);
    return r;
  };
  const all: TrafficRecord[] = [];
  for await (const page of streamPages(redis, stream, trafficWindow(selection), keep, options))
    all.push(...page);
  return all.sort(
    (a, b) =>
      Date.parse(a.startedAt) - Date.parse(b.startedAt) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
}
