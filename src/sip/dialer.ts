/**
 * Places one dealer leg with drachtio-srf's createUAC and turns every way it can end into a
 * DialResult: answered, or failed with the status and what it means for failover. The ring
 * timeout and the caller's CANCEL both cancel the pending INVITE.
 */
import { causeOf } from '../call/failure.js';
import type { Dialer, DialRequest, DialResult } from '../call/ports.js';
import { connectedLeg } from './connected-leg.js';
import { type Srf, type SrfRequest, sipStatusOf } from './srf-types.js';

export function srfDialer(srf: Srf): Dialer {
  return { dial: (request) => dial(srf, request) };
}

async function dial(srf: Srf, r: DialRequest): Promise<DialResult> {
  let pending: SrfRequest | undefined;
  let timedOut = false;
  const cancel = () => pending?.cancel(() => undefined);
  const timer = setTimeout(() => {
    timedOut = true;
    cancel();
  }, r.timeoutMs);
  r.signal.addEventListener('abort', cancel, { once: true });
  try {
    const dialog = await srf.createUAC(
      r.uri,
      {
        ...(r.sdp && { localSdp: r.sdp }),
        callingNumber: r.callingNumber,
        ...(r.callingName && { callingName: r.callingName }),
        headers: { ...r.headers },
      },
      {
        cbRequest: (err, req) => {
          if (err) return;
          pending = req;
          // the abort or timeout may have come before the INVITE was on the wire
          if (r.signal.aborted || timedOut) cancel();
        },
        cbProvisional: (res) => {
          if (res.status === 180 || res.status === 183)
            r.onProvisional({ status: res.status, ...(res.body && { sdp: res.body }) });
        },
      },
    );
    if (r.signal.aborted) {
      // answered while the caller cancelled: the dealer leg must not stay up
      await connectedLeg(dialog).hangup();
      return { kind: 'failed', status: 487, cause: 'cancelled' };
    }
    return { kind: 'answered', leg: connectedLeg(dialog), sdp: dialog.remote.sdp };
  } catch (err) {
    const status = sipStatusOf(err) ?? 503;
    if (r.signal.aborted) return { kind: 'failed', status, cause: 'cancelled' };
    if (timedOut) return { kind: 'failed', status: 408, cause: 'no-answer' };
    return {
      kind: 'failed',
      status,
      cause: sipStatusOf(err) === undefined ? 'unreachable' : causeOf(status),
    };
  } finally {
    clearTimeout(timer);
    r.signal.removeEventListener('abort', cancel);
  }
}
