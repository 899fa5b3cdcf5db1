/**
 * The bound of issue 13 on a routing change: live on the wire within 1 s of the change (a file
 * written, an API write accepted), and the assertion that a call saw it in time.
 */
import type { Test } from 'tap';
import type { SippResult } from './sipp.js';

export const LIVE_WITHIN_MS = 1000;

/** Asserts the call passed its scenario and `status` reached the caller within the bound. */
export function liveInTime(t: Test, call: SippResult, status: number, since: number, what: string) {
  t.match(call, { exitCode: 0 }, `${what}: ${call.errors}`);
  const answer = call.messages.find(
    (m) => m.dir === 'received' && m.firstLine.startsWith(`SIP/2.0 ${status} `),
  );
  const ms = (answer?.at ?? Number.NaN) - since;
  t.comment(`${what}: ${status} on the wire ${ms} ms later`);
  t.ok(ms < LIVE_WITHIN_MS, `${what}: ${status} reached the caller ${ms} ms later`);
}
