/**
 * Places one dealer leg with drachtio-srf's createUAC and turns every way it can end into a
 * DialResult. The attempt ends at its ring timeout whatever the dealer does: sofia sends the
 * CANCEL only once a provisional arrived (nta.c nta_outgoing_tcancel), so a destination that
 * never answers at all would otherwise hold the call until Timer B (32 s). What arrives after the
 * attempt ended is cleaned up in the background: a late 200 is ACKed and BYEd.
 */
import { RING_TIMEOUT_REASON } from '../call/cancel-reasons.js';
import { causeOf } from '../call/failure.js';
import type { Dialer, DialRequest, DialResult } from '../call/ports.js';
import { responseSdp, untypedSdp } from '../edge/sdp-body.js';
import { connectedLeg } from './connected-leg.js';
import type { InFlight } from './in-flight.js';
import {
  isDialog,
  redirectContacts,
  type Srf,
  type SrfDialog,
  type SrfMessage,
  type SrfRequest,
  sipStatusOf,
  type UacOffer,
  type UacOptions,
} from './srf-types.js';
import { fromStack } from './stack-answers.js';

export type SrfDialer = Dialer & {
  /** Resolves when late answers of ended attempts are cleaned up (bounded by the caller). */
  settled(): Promise<void>;
};

/**
 * ms: how long a cancelled INVITE is waited for. drachtio-server forgets an INVITE the app
 * cancelled when no final answer came within 32 s (invite-in-progress.cpp MAX_CANCEL_DURATION,
 * whatever T1), tells the app nothing more, and srf's promise for it never settles: a dealer that
 * rang and then went silent would hold its attempt in memory for good. Past this it is let go.
 */
export const CANCELLED_INVITE_WAIT_MS = 34_000;

export function srfDialer(
  srf: Srf,
  inFlight: InFlight,
  cancelledWaitMs = CANCELLED_INVITE_WAIT_MS,
): SrfDialer {
  const background = new Set<Promise<unknown>>();
  return {
    dial: (request) => dial(srf, inFlight, request, background, cancelledWaitMs),
    settled: async () => {
      await Promise.allSettled([...background]);
    },
  };
}

function dial(
  srf: Srf,
  inFlight: InFlight,
  r: DialRequest,
  background: Set<Promise<unknown>>,
  cancelledWaitMs: number,
): Promise<DialResult> {
  return new Promise<DialResult>((resolve) => {
    let pending: SrfRequest | undefined;
    let untrack: () => void = () => undefined;
    let rang = false;
    let settled = false;
    let why: string | undefined;
    let letGo: NodeJS.Timeout | undefined;
    const cancel = () => {
      // sofia holds a CANCEL until a provisional came; after a drop the orphan cleanup sends it.
      // drachtio-server hands our headers to nta_outgoing_tcancel, which copies them onto the
      // CANCEL (sip-dialog-controller.cpp doSendCancelRequest, nta.c outgoing_ackmsg)
      if (!pending || inFlight.lost) return;
      pending.cancel(why ? { headers: { Reason: why } } : undefined, () => undefined);
      letGo ??= setTimeout(() => {
        untrack();
        background.delete(attempt);
      }, cancelledWaitMs).unref();
    };
    const finish = (result: DialResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      r.signal.removeEventListener('abort', onAbort);
      resolve(result);
    };
    const onAbort = () => {
      why = typeof r.signal.reason === 'string' ? r.signal.reason : undefined;
      cancel();
      finish({ kind: 'failed', status: 487, cause: 'cancelled' });
    };
    const timer = setTimeout(() => {
      why = RING_TIMEOUT_REASON;
      cancel();
      // no provisional at all: nobody there (a dead trunk is not a missed call)
      finish({ kind: 'failed', status: 408, cause: rang ? 'no-answer' : 'unreachable' });
    }, r.timeoutMs);
    r.signal.addEventListener('abort', onAbort, { once: true });
    const attempt = srf
      .createUAC(r.uri, uacOptions(r), {
        cbRequest: (err, req) => {
          if (err) return;
          pending = req;
          untrack = inFlight.outbound(req);
          // the abort or timeout may have come before the INVITE was on the wire
          if (settled) cancel();
        },
        cbProvisional: (res) => {
          if (res.status !== 180 && res.status !== 183) return;
          rang = true;
          const sdp = sdpOf(res);
          if (!settled) r.onProvisional(sdp ? { status: res.status, sdp } : { status: res.status });
        },
      })
      // The promise form is safe here, unlike the caller's 200 (inbound-leg.ts #accept): srf ACKs
      // the dealer's 200 while dispatching it, and the dealer's BYE or re-INVITE may only follow
      // that ACK (RFC 3261 14.1, 15), so it comes in a later read, after this handler ran. A BYE
      // of a dealer that does not wait is caught by the leg itself (`dialog.connected`).
      .then(
        (answered) => {
          clearTimeout(letGo);
          untrack();
          // an answer after the attempt ended (ring timeout, caller gone) must not stay up
          if (settled) return resultOf(answered, inFlight).release();
          finish(resultOf(answered, inFlight));
        },
        (err: unknown) => {
          clearTimeout(letGo);
          untrack();
          const status = sipStatusOf(err);
          // a 408 without any provisional is Timer B: nobody answered the INVITE at all; any
          // other answer of the stack's own is for a leg it could not send: nobody reached
          const silent =
            status === undefined ||
            (status === 408 ? !rang : fromStack((err as SipFailure).res?.source_address));
          const contacts = status && status >= 300 && status < 400 ? redirectContacts(err) : [];
          finish({
            kind: 'failed',
            status: status ?? 503,
            cause: silent ? 'unreachable' : causeOf(status),
            ...(contacts.length > 0 && { contacts }),
          });
        },
      );
    background.add(attempt);
    void attempt.finally(() => background.delete(attempt));
  });
}

type SipFailure = { res?: { source_address?: string } };

/** createUAC's options, by plain stores (every dial makes one; spreads cost runtime calls). */
function uacOptions(r: DialRequest): UacOptions {
  // srf adds From and Contact to the headers it is given: a copy of ours
  const headers: Record<string, string> = Object.assign({}, r.headers);
  const o: UacOptions = r.sdp
    ? { localSdp: r.sdp, callingNumber: r.callingNumber, headers }
    : { noAck: true, callingNumber: r.callingNumber, headers };
  if (r.callingName) o.callingName = r.callingName;
  // srf answers a 401/407 once with these (digest-client.js: same Call-ID, CSeq+1); a second
  // challenge comes back as the final answer. 3xx are not followed by srf (no followRedirects):
  // the call path decides where a redirect may go.
  if (r.auth) o.auth = { username: r.auth.username, password: r.auth.password };
  return o;
}

function resultOf(
  answered: SrfDialog | UacOffer,
  inFlight: InFlight,
): Exclude<DialResult, { kind: 'failed' }> {
  if (isDialog(answered)) {
    // read before the leg lets the 200 go; the dialog's remote SDP is what an offerless
    // re-INVITE's ACK is built from later
    const sdp = answered.res ? sdpOf(answered.res) : answered.remote.sdp;
    if (sdp !== answered.remote.sdp) answered.remote.sdp = sdp ?? '';
    const leg = connectedLeg(answered, inFlight);
    return { kind: 'answered', leg, sdp, release: () => leg.hangup() };
  }
  return {
    kind: 'offered',
    // srf hands this 200 over without its headers: a SIP-I body is told by its shape
    offer: untypedSdp(answered.sdp),
    accept: async (answer) => connectedLeg(await answered.ack(answer), inFlight),
    // its ACK and BYE: nothing answers them over a connection that dropped meanwhile
    release: () => inFlight.untilDropped(answered.destroy(), undefined).catch(() => undefined),
  };
}

/**
 * The SDP of the dealer's 18x or 200: of a SIP-I multipart body, its SDP part alone
 * (edge/sdp-body.ts). SDP begins with its `v=` line (RFC 8866 5.1), so an SDP answer is taken
 * without a lookup of its Content-Type (srf's `get` scans every header name).
 */
function sdpOf(res: SrfMessage): string | undefined {
  const body = res.body || undefined;
  if (body === undefined || body.startsWith('v=')) return body;
  return responseSdp(res.get('Content-Type'), body);
}
