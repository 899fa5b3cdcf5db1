// A stand-in plus a connected drachtio-srf app, torn down with the test. Also small queries over
// the stand-in's trace, so tests can assert what went over each wire.
import type { Test } from 'tap';
import { type StandinHandle, start, type TraceRecord } from '../standin/index.js';
import { killAllSipp } from './sipp.js';
import { connectApp, disconnectApp, newApp, type SrfApp } from './srf-app.js';

export const SECRET = 'cymru';

export interface Bed {
  standin: StandinHandle;
  app: SrfApp;
}

export interface BedOptions {
  t1?: number;
  t2?: number;
  pendingTimeout?: number;
}

/** Starts a stand-in on free ports and connects a fresh app to it. */
export async function standUp(t: Test, options: BedOptions = {}): Promise<Bed> {
  const standin = await start({
    sipPort: 0,
    adminPort: 0,
    secret: SECRET,
    t1: 50,
    t2: 400,
    ...options,
  });
  const app = newApp();
  t.teardown(async () => {
    killAllSipp();
    disconnectApp(app);
    await standin.close();
  });
  await connectApp(app, standin.adminAddress, SECRET);
  return { standin, app };
}

export interface FrameView {
  dir: 'in' | 'out';
  tokens: string[];
  sip: string;
  payload: string;
}

/** Frames in the trace, split into the `|` tokens of their first line and the SIP text. */
export function frames(trace: readonly TraceRecord[]): FrameView[] {
  return trace.flatMap((r) => {
    if (r.kind !== 'frame') return [];
    const eol = r.payload.indexOf('\r\n');
    const leader = eol < 0 ? r.payload : r.payload.slice(0, eol);
    return [
      {
        dir: r.dir,
        tokens: leader.split('|'),
        sip: eol < 0 ? '' : r.payload.slice(eol + 2),
        payload: r.payload,
      },
    ];
  });
}

/** Frames the stand-in sent to the app of a given type (`sip` or `response`). */
export function toApp(trace: readonly TraceRecord[], type: 'sip' | 'response'): FrameView[] {
  return frames(trace).filter((f) => f.dir === 'out' && f.tokens[1] === type);
}

export function fromApp(trace: readonly TraceRecord[]): FrameView[] {
  return frames(trace).filter((f) => f.dir === 'in');
}

/** The reply to the app frame whose SIP text starts with `startLine`. */
export function replyTo(
  trace: readonly TraceRecord[],
  startLine: string | RegExp,
): FrameView | undefined {
  const sent = fromApp(trace).find((f) =>
    typeof startLine === 'string' ? f.sip.startsWith(startLine) : startLine.test(f.sip),
  );
  return sent && toApp(trace, 'response').find((f) => f.tokens[2] === sent.tokens[0]);
}

/** Datagrams the stand-in sent or received, by first line. */
export function datagrams(
  trace: readonly TraceRecord[],
  dir: 'in' | 'out',
): { firstLine: string; text: string }[] {
  return trace.flatMap((r) =>
    r.kind === 'sip' && r.dir === dir ? [{ firstLine: r.firstLine, text: r.text }] : [],
  );
}
