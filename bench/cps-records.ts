/**
 * After `bench/cps`: did the gateway write exactly one record per call it was handed? Waits until
 * it has no call in progress and nothing left to write (memory or spool), then counts the stream
 * and its distinct record ids. A mismatch throws: figures of a gateway that loses or repeats
 * records describe the wrong gateway.
 */
import type { Redis } from 'ioredis';
import { recordIds } from '../test/helpers/stream-ids.js';

const STREAM = 'calltrack:{records}:calls';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface RecordsCheck {
  written: number;
  /** Calls still up at the gateway when the wait ran out: they owe their record later. */
  inProgress: number;
}

function gauge(text: string, name: string): number {
  return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
}

/**
 * `handed`: distinct caller INVITEs the stand-in handed to the gateway; each owes one record once
 * its call has ended. Waits up to `waitMs` for the calls to end and the writer to drain.
 */
export async function checkRecords(
  redis: Redis,
  httpPort: number,
  handed: number,
  waitMs = 60_000,
): Promise<RecordsCheck> {
  const deadline = Date.now() + waitMs;
  let inProgress = Number.NaN;
  for (;;) {
    const text = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
    inProgress = gauge(text, 'calltrack_active_calls');
    const waiting =
      gauge(text, 'calltrack_records_queued') + gauge(text, 'calltrack_records_spool_pending');
    if ((inProgress === 0 && waiting === 0) || Date.now() > deadline) break;
    await sleep(250);
  }
  const written = await redis.xlen(STREAM);
  const ids = await recordIds(redis, STREAM);
  const distinct = new Set(ids).size;
  const problems: string[] = [];
  if (ids.length !== written) problems.push(`XLEN ${written} but XRANGE read ${ids.length}`);
  if (distinct !== ids.length) problems.push(`${ids.length - distinct} record ids appear twice`);
  if (distinct + inProgress !== handed)
    problems.push(
      `${handed} calls handed to the gateway, ${distinct} distinct records and ${inProgress} calls in progress`,
    );
  if (problems.length) throw new Error(`call records do not add up: ${problems.join('; ')}`);
  return { written, inProgress };
}
