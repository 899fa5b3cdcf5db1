/**
 * Every caller INVITE the drachtio stand-in hands to an app, call by call: to which connection,
 * when, its caller and called numbers, and whether that connection ever sent a frame about it
 * (anything carrying its Call-ID: a response, a CANCEL's answer; or a request whose From carries
 * its caller: the dealer leg). The faults bench matches calls to records with these: a call
 * without a record that its gateway never acted on was never read (bench/faults-count.ts).
 *
 * Like cps-latency.ts it is the trace's target (`traceTo`), so the stand-in keeps no record in
 * memory.
 */
import type { TraceRecord } from '../test/standin/index.js';
import { CALL_ID } from './cps-latency.js';

const CALLER = /\r\n(?:from|f)[ \t]*:[^\r\n]*?(\+4917600\d+)/i;
const CALLED = /^INVITE sip:([^@;\s]+)@/;

export type HandedCall = {
  callId: string;
  caller: string;
  called: string;
  /** The app connection it was handed to, and when (performance.now()). */
  conn: number;
  at: number;
  /** The wall clock then: the caller's pseudonym depends on the day. */
  startedAt: string;
  /** That connection sent a frame about the call. */
  acted: boolean;
};

export interface CallProbe {
  /** Takes each trace record: the stand-in's `traceTo` target, or a recording proxy's. */
  observe(r: TraceRecord): void;
  /** Distinct caller INVITEs (by Call-ID) handed to an app so far. */
  handed(): number;
  /** The app connection the latest new INVITE went to (-1: none yet). */
  lastConn(): number;
  calls(): readonly HandedCall[];
}

export function probeCalls(): CallProbe {
  const calls = new Map<string, HandedCall>();
  /** Caller number → the calls handed with it (two sipp callers may share a number). */
  const byCaller = new Map<string, HandedCall[]>();
  let lastConn = -1;
  const observe = (r: TraceRecord) => {
    if (r.kind !== 'frame') return;
    const p = r.payload;
    const eol = p.indexOf('\r\n');
    if (eol < 0) return;
    const sip = p.slice(eol);
    const bar = p.indexOf('|');
    if (r.dir === 'out') {
      if (!p.startsWith('|sip|network|', bar) || !p.startsWith('INVITE ', eol + 2)) return;
      const callId = CALL_ID.exec(sip)?.[1] ?? '';
      lastConn = r.conn;
      if (calls.has(callId)) return;
      const call: HandedCall = {
        callId,
        caller: CALLER.exec(sip)?.[1] ?? '',
        called: CALLED.exec(p.slice(eol + 2))?.[1] ?? '',
        conn: r.conn,
        at: performance.now(),
        startedAt: new Date().toISOString(),
        acted: false,
      };
      calls.set(callId, call);
      const same = byCaller.get(call.caller);
      if (same) same.push(call);
      else byCaller.set(call.caller, [call]);
      return;
    }
    const own = calls.get(CALL_ID.exec(sip)?.[1] ?? '');
    if (own?.conn === r.conn) own.acted = true;
    if (!p.startsWith('|sip||', bar)) return;
    // a leg the app placed: every call of that caller on that connection counts as acted on,
    // so an ambiguous number can only make a loss count, never excuse one
    const caller = CALLER.exec(sip)?.[1];
    for (const call of (caller && byCaller.get(caller)) || [])
      if (call.conn === r.conn) call.acted = true;
  };
  return {
    observe,
    handed: () => calls.size,
    lastConn: () => lastConn,
    calls: () => [...calls.values()],
  };
}
