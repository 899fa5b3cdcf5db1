/**
 * A stream read page by page over a window of stream ids: XRANGE, `pageSize` entries per round
 * trip, each entry decoded and kept or dropped by the caller. Only one page is held in memory.
 * The call history export and the traffic reads both walk their streams this way.
 */
import type { RedisClient } from '../redis/connect.js';

/**
 * After each page read, whether it kept anything or not: the entries read so far and the share
 * of the window's entries (by their time) behind the page.
 */
export type OnStreamRead = (read: { entries: number; position: number }) => void;

export type StreamWindow = { start: string; end: string };

/** Yields each page's kept values, in stream order; pages that keep nothing are skipped. */
export async function* streamPages<T>(
  redis: RedisClient,
  stream: string,
  window: StreamWindow,
  keep: (fields: string[]) => T | undefined,
  options: { pageSize?: number; onRead?: OnStreamRead } = {},
): AsyncGenerator<T[]> {
  const { start, end } = window;
  const count = options.pageSize ?? 1000;
  const onRead = options.onRead;
  const position = onRead && (await positionIn(redis, stream, start, end));
  let cursor = start;
  let entries = 0;
  for (;;) {
    const page = await redis.xrange(stream, cursor, end, 'COUNT', count);
    entries += page.length;
    if (position && page.length > 0) onRead({ entries, position: position(page.at(-1)![0]) });
    const out: T[] = [];
    for (const [, fields] of page) {
      const value = keep(fields);
      if (value !== undefined) out.push(value);
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
  redis: RedisClient,
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
