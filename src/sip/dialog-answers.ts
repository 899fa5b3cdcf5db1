/**
 * Answering what the far end asks inside a dialog (a re-INVITE, UPDATE or INFO): its offer as
 * SDP alone, or 415 for one that cannot be honoured; the call path's answer with the session
 * timer granted (RFC 4028) and our Contact; what a session refresh is answered with.
 */
import type { DialogAnswer, DialogRequest } from '../call/ports.js';
import { ACCEPTED_BODIES, requestOffer } from '../edge/sdp-body.js';
import { detached } from './dialog-memory.js';
import type { SrfDialog, SrfRequest, SrfResponse } from './srf-types.js';

/** The call path's handler of requests inside a dialog. */
export type DialogHandler = (request: DialogRequest) => Promise<DialogAnswer>;

/** Answers `req` through `handler`; resolves with the status sent. */
export async function answer(
  dialog: SrfDialog,
  req: SrfRequest,
  res: SrfResponse,
  handler: DialogHandler,
  method: DialogRequest['method'],
): Promise<number> {
  let contentType = req.get('Content-Type');
  let body = req.body || undefined;
  // an offer goes on as SDP alone (a SIP-I body's SDP part); one that cannot be honoured is
  // answered here (RFC 3261 8.2.3). INFO bodies (DTMF and the like) go on as they came.
  if (body !== undefined && method !== 'INFO') {
    const offer = requestOffer(contentType, body);
    if (offer.kind === 'unsupported') {
      res.send(415, { headers: { Accept: ACCEPTED_BODIES } });
      return 415;
    }
    if (offer.sdp !== body) {
      body = offer.sdp;
      contentType = body === undefined ? undefined : 'application/sdp';
    }
  }
  let a: DialogAnswer;
  try {
    a = await handler({
      method,
      ...(body && { body }),
      ...(contentType && { contentType }),
    });
  } catch {
    a = { status: 500 };
  }
  const headers: Record<string, string> = a.status < 300 ? sessionTimer(req) : {};
  if (a.body) headers['Content-Type'] = a.contentType ?? 'application/sdp';
  if (method === 'INVITE' && a.status < 300 && dialog.local.contact)
    headers.Contact = dialog.local.contact;
  // RFC 3261 14.2: a second offer while one is pending gets 500 with a Retry-After of 0–10 s
  if (a.status === 500) headers['Retry-After'] = String(1 + Math.floor(Math.random() * 5));
  // the answer to the next session refresh repeats dialog.local.sdp: keep it what we answered
  if (a.status < 300 && a.body && method !== 'INFO')
    (dialog.local as { sdp?: string }).sdp = a.body;
  res.send(a.status, { headers, ...(a.body && { body: a.body }) });
  if (a.onAck && method === 'INVITE') dialog.once('ack', (ack) => a.onAck?.(ack.body || undefined));
  return a.status;
}

/** The answer to a session refresh: what we last sent, and the session timer granted. */
export function refreshed(dialog: SrfDialog, req: SrfRequest) {
  const headers: Record<string, string> = { ...sessionTimer(req) };
  if (dialog.local.contact) headers.Contact = dialog.local.contact;
  if (!dialog.local.sdp) return { headers };
  return { headers: { ...headers, 'Content-Type': 'application/sdp' }, body: dialog.local.sdp };
}

/**
 * RFC 4028 9: a 2xx to a refresh carries the Session-Expires granted, and Require: timer when the
 * peer refreshes. drachtio-server runs the timer but adds the header only to the first 200; a
 * peer that sees no Session-Expires stops refreshing and drachtio then ends its session.
 */
export function sessionTimer(req: SrfRequest): Record<string, string> {
  const offered = /^\s*(\d+)(?:.*;\s*refresher\s*=\s*(uac|uas))?/i.exec(
    req.get('Session-Expires') ?? '',
  );
  if (!offered) return {};
  const refresher = offered[2]?.toLowerCase() ?? 'uac';
  return {
    'Session-Expires': `${offered[1]};refresher=${refresher}`,
    ...(refresher === 'uac' && { Require: 'timer' }),
  };
}

/** `o=` username, session id and version: what stays the same in a session refresh. */
export function originOf(sdp: string | undefined): string | undefined {
  // a copy: kept for the call, a slice would keep the whole re-INVITE
  return detached(/^o=(\S+ \S+ \S+)/m.exec(sdp ?? '')?.[1]);
}
