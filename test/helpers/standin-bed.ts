// A stand-in plus a connected drachtio-srf app, torn down with the test. Also small queries over
// the stand-in's trace, so tests can assert what went over each wire. Raw peers: raw-peer.ts.
import type { Test } from 'tap';
import type { StandinHandle, TraceRecord } from '../standin/index.js';
import { parseAppFrame } from '../standin/wire.js';
import { againstRealDrachtio, startDrachtio } from './drachtio-peer.js';
import { peerInvite, UdpPeer } from './raw-peer.js';
import { killAllSipp, runSipp, type SippResult } from './sipp.js';
import {
  connectApp,
  disconnectApp,
  newApp,
  SDP,
  type SrfApp,
  type SrfDialog,
  type SrfMessage,
  type SrfRequest,
  type SrfResponse,
} from './srf-app.js';
import { waitFor } from './wait.js';

export const SECRET = 'cymru';

export interface Bed {
  standin: StandinHandle;
  app: SrfApp;
}

export interface BedOptions {
  t1?: number;
  t2?: number;
  pendingTimeout?: number;
  /** Seconds (see StandinOptions.minSE). */
  minSE?: number;
  /** Milliseconds (see StandinOptions.sessionTimerJitter). */
  sessionTimerJitter?: number;
  sessionTimerDefaultRefresher?: 'none' | 'uac' | 'uas';
  /** Milliseconds (see StandinOptions.ackTimeout). */
  ackTimeout?: number;
  /** Milliseconds (see StandinOptions.timerC). */
  timerC?: number;
}

/** Starts a stand-in on free ports and connects a fresh app to it. */
export async function standUp(t: Test, options: BedOptions = {}): Promise<Bed> {
  const standin = await startDrachtio(SECRET, options);
  const app = newApp();
  t.teardown(async () => {
    killAllSipp();
    disconnectApp(app);
    await standin.close();
  });
  await connectApp(app, standin.adminAddress, SECRET);
  return { standin, app };
}

/** The final status of an INVITE the app sends to `uri`: 200, or what srf rejected it with. */
export function dialed(
  app: SrfApp,
  uri: string,
  callbacks?: Parameters<SrfApp['createUAC']>[2],
): Promise<number | undefined> {
  return app.createUAC(uri, { localSdp: SDP }, callbacks).then(
    () => 200,
    (err: unknown) => (err as { status?: number }).status,
  );
}

/**
 * drachtio-server's timer H for a 2xx is a constant of its build, 32 s: against it
 * (TEST_DRACHTIO_BIN) a case waits that long; the stand-in takes 4 s (its `ackTimeout`).
 */
export const ACK_TIMEOUT_MS = againstRealDrachtio() ? 32_000 : 4000;

/**
 * A caller (sipp, over `transport`) whose INVITE the app answers 200 and who never ACKs it: what
 * the caller saw, and why the app's dialog ended once the server gave up on the ACK.
 */
export async function unacknowledgedAnswer(
  t: Test,
  transport?: 'tcp',
): Promise<Bed & { caller: SippResult; reason: string }> {
  const bed = await standUp(t, againstRealDrachtio() ? {} : { ackTimeout: ACK_TIMEOUT_MS });
  let reason: string | undefined;
  bed.app.invite(async (req, res) => {
    const dialog = await bed.app.createUAS(req, res, { localSdp: SDP });
    dialog.on('destroy', (_msg, why) => {
      reason = why;
    });
  });
  const caller = await runSipp({
    scenario: 'uac-expect-200-no-ack.xml',
    remote: bed.standin.sipAddress,
    keys: { caller: '+4930111222333', called: '+4930100' },
    transport,
    timeoutMs: ACK_TIMEOUT_MS + 20_000,
  });
  t.match(caller, { exitCode: 0 }, `caller: ${caller.errors}`);
  return { ...bed, caller, reason: await waitFor(() => reason, 15_000, 'the app told of the BYE') };
}

export interface FrameView {
  dir: 'in' | 'out';
  /** The app connection, numbered from 1 in the order they connected. */
  conn: number;
  tokens: string[];
  sip: string;
  payload: string;
}

/**
 * Resolves once the server has answered `count` routes an app asked for (`app.invite(…)` and the
 * like send one each, after the call returns): a request that comes before its route's answer
 * may find no app. The stand-in takes a route before the next datagram; a real drachtio-server
 * takes it on another thread.
 */
export async function routesTaken(trace: readonly TraceRecord[], count = 1): Promise<void> {
  await waitFor(
    () => {
      const all = frames(trace);
      const answered = new Set(all.filter((f) => f.dir === 'out').map((f) => f.tokens[2]));
      const routes = all.filter((f) => f.dir === 'in' && f.tokens[1] === 'route');
      return routes.length >= count && routes.every((f) => answered.has(f.tokens[0]))
        ? true
        : undefined;
    },
    3000,
    'the server to take the routes',
  );
}

/** Frames in the trace, split into the `|` tokens of their first line and the SIP text. */
export function frames(trace: readonly TraceRecord[]): FrameView[] {
  return trace.flatMap((r) => {
    if (r.kind !== 'frame') return [];
    const { tokens, sip } = parseAppFrame(r.payload);
    return [{ dir: r.dir, conn: r.conn, tokens, sip, payload: r.payload }];
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

/**
 * The plainest B2BUA an app builds with drachtio-srf: the caller's SDP to `uri`, and a BYE on
 * either leg ends the other. Rejects as createB2BUA does.
 */
export async function bridge(
  app: SrfApp,
  req: SrfRequest,
  res: SrfResponse,
  uri: string,
  opts: object = {},
): Promise<{ uas: SrfDialog; uac: SrfDialog }> {
  const legs = await app.createB2BUA(req, res, uri, { localSdpB: req.body, ...opts });
  legs.uas.on('destroy', () => void legs.uac.destroy().catch(() => {}));
  legs.uac.on('destroy', () => void legs.uas.destroy().catch(() => {}));
  return legs;
}

/** Milliseconds between the first datagrams the stand-in sent that match `a` and `b`. */
export function gapBetween(trace: readonly TraceRecord[], a: RegExp, b: RegExp): number {
  const at = (re: RegExp) =>
    Date.parse(trace.find((r) => r.kind === 'sip' && r.dir === 'out' && re.test(r.text))?.ts ?? '');
  return at(b) - at(a);
}

/**
 * A caller's INVITE from a raw socket (`extra` headers added), held by a fresh app for the test
 * to answer; `onInvite` sees it first. The caller is `name`@127.0.0.1 with From tag `r1`.
 */
export async function heldInvite(
  t: Test,
  name: string,
  extra: string[] = [],
  options: BedOptions = {},
  onInvite: (req: SrfRequest, res: SrfResponse) => void = () => undefined,
) {
  const { standin, app } = await standUp(t, options);
  const peer = await UdpPeer.open(t);
  let invite: { req: SrfRequest; res: SrfResponse } | undefined;
  app.invite((req, res) => {
    invite = { req, res };
    onInvite(req, res);
  });
  await routesTaken(standin.trace);
  const port = standin.sipAddress.port;
  const ids = { callId: `${name}@127.0.0.1`, tag: 'r1', branch: `z9hG4bK-${name}` };
  peer.send(peerInvite(peer, port, ids, extra), port);
  const { req, res } = await waitFor(() => invite, 3000, 'the INVITE at the app');
  return { standin, app, peer, port, req, res };
}

/** An answer sent through srf: resolves with the server's echo, rejects with its refusal. */
export function respond(
  res: SrfResponse,
  status: number,
  opts: { body?: string; headers?: Record<string, string> } = {},
): Promise<SrfMessage> {
  return new Promise<SrfMessage>((resolve, reject) =>
    // srf's refusal is the server's reason alone, a string
    res.send(status, opts, (err, msg) => (err ? reject(new Error(String(err))) : resolve(msg))),
  );
}
