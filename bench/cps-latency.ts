/**
 * INVITE-to-INVITE latency from the stand-in's point of view: from the frame that hands the
 * caller's INVITE to the app (`sip|network|…`) to the frame in which the app asks for the dealer
 * leg's INVITE (`sip||…`). The two are paired by the caller's number (`+4917600<call number>`),
 * which both apps copy into the dealer leg's From.
 *
 * The stand-in keeps every trace record in memory unless told otherwise; at hundreds of calls a
 * second that is hundreds of MB per minute. So the probe is the trace's target (`traceTo`):
 * nothing is kept, and only while `start()`…`stop()` the two INVITE frames are timed with
 * `performance.now()` (the records' own ISO stamps have 1 ms resolution). The caller INVITEs
 * handed to the app are counted all along (by Call-ID, so a retransmission counts once): each one
 * owes a call record.
 */
import type { TraceRecord } from '../test/standin/index.js';

const CALLER = /\r\n(?:from|f)[ \t]*:[^\r\n]*?\+4917600(\d+)/i;
export const CALL_ID = /\r\n(?:call-id|i)[ \t]*:[ \t]*([^\r\n]+)/i;

export interface LatencyProbe {
  /** Takes each trace record: the stand-in's `traceTo` target, or a recording proxy's. */
  observe(r: TraceRecord): void;
  start(): void;
  /** Stops timing; the latencies in ms of every call seen at both ends. */
  stop(): { samples: number[]; callerInvites: number };
  /** Distinct caller INVITEs (new calls) handed to the app since the probe was made. */
  handed(): number;
}

export function probeInviteLatency(): LatencyProbe {
  let on = false;
  let inbound = new Map<string, number>();
  let samples: number[] = [];
  /** Call-IDs of the caller INVITEs handed so far. */
  const handed = new Set<string>();
  const observe = (r: TraceRecord, at: number) => {
    if (r.kind !== 'frame') return;
    const p = r.payload;
    const bar = p.indexOf('|');
    const eol = p.indexOf('\r\n');
    if (eol < 0 || !p.startsWith('INVITE ', eol + 2)) return;
    const toApp = r.dir === 'out' && p.startsWith('|sip|network|', bar);
    const fromApp = r.dir === 'in' && p.startsWith('|sip||', bar);
    if (toApp) {
      const id = CALL_ID.exec(p.slice(eol))?.[1] ?? '';
      handed.add(id);
    }
    if (!on || (!toApp && !fromApp)) return;
    const caller = CALLER.exec(p.slice(eol))?.[1];
    if (caller === undefined) return;
    if (toApp) {
      if (!inbound.has(caller)) inbound.set(caller, at);
      return;
    }
    const t0 = inbound.get(caller);
    if (t0 === undefined) return;
    inbound.delete(caller);
    samples.push(at - t0);
  };
  return {
    observe: (r) => observe(r, on ? performance.now() : 0),
    start() {
      inbound = new Map();
      samples = [];
      on = true;
    },
    stop() {
      on = false;
      return { samples, callerInvites: samples.length + inbound.size };
    },
    handed: () => handed.size,
  };
}

/** Nearest-rank percentile (`q` in 0..1) of unsorted samples. */
export function percentile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}
