/**
 * The drachtio-srf request handlers: new INVITEs (turned into plain facts and an InboundLeg for
 * the call path, every rejection caught at this edge so no call can crash the process) and
 * out-of-dialog OPTIONS, the carriers' keepalive.
 */
import { type CallServices, handleInvite, type InviteFacts } from '../call/handle-invite.js';
import { ACCEPTED_BODIES, type RequestOffer, requestOffer } from '../edge/sdp-body.js';
import { EveryMinute } from '../observability/every-minute.js';
import { ALLOW } from './connected-leg.js';
import { detached } from './dialog-memory.js';
import type { InFlight } from './in-flight.js';
import { inboundLeg } from './inbound-leg.js';
import { RingingRefresh } from './ringing-refresh.js';
import type { Srf, SrfRequest } from './srf-types.js';

/**
 * The INVITE's facts, each a string of its own: a call keeps them, and not the INVITE. An absent
 * header is no key at all (plain stores: a spread or keyed store per call costs runtime calls).
 * With them, the offer its body holds (edge/sdp-body.ts); a body the gateway cannot honour is a
 * fact (`unreadableBody`), the Content-Type it was read by is not kept.
 */
export function readInvite(
  req: SrfRequest,
  receivedAt?: number,
): { facts: InviteFacts; offer: RequestOffer } {
  const byName = lowerCaseHeaders(req.headers);
  const header = (name: string) => detached(byName.get(name) || undefined);
  const facts: InviteFacts = {
    callId: detached(byName.get('call-id') ?? req.callId),
    sourceAddress: detached(req.source_address),
    requestUri: detached(req.uri),
  };
  const userAgent = header('user-agent');
  if (userAgent !== undefined) facts.userAgent = userAgent;
  const to = header('to');
  if (to !== undefined) facts.to = to;
  const from = header('from');
  if (from !== undefined) facts.from = from;
  const privacy = header('privacy');
  if (privacy !== undefined) facts.privacy = privacy;
  const assertedIdentity = header('p-asserted-identity');
  if (assertedIdentity !== undefined) facts.assertedIdentity = assertedIdentity;
  const maxForwards = header('max-forwards');
  if (maxForwards !== undefined) facts.maxForwards = maxForwards;
  const historyInfo = header('history-info');
  if (historyInfo !== undefined) facts.historyInfo = historyInfo;
  const diversion = header('diversion');
  if (diversion !== undefined) facts.diversion = diversion;
  const require = header('require');
  if (require !== undefined) facts.require = require;
  if (receivedAt !== undefined) facts.receivedAt = receivedAt;
  const offer = requestOffer(byName.get('content-type'), req.body);
  if (offer.kind === 'unsupported') facts.unreadableBody = offer.why;
  return { facts, offer };
}

/**
 * Headers by lower-case name, in one pass: srf's `get` lower-cases every header name of the
 * message for each lookup, and nine lookups per INVITE were a tenth of what the gateway made
 * drachtio-srf do beyond the bare B2BUA (issue 16). srf's parser has already turned compact forms
 * into full names; the first of two spellings wins, as with `get`.
 */
function lowerCaseHeaders(headers: Readonly<Record<string, string>>): Map<string, string> {
  const out = new Map<string, string>();
  for (const name in headers) {
    const lower = name.toLowerCase();
    if (!out.has(lower)) out.set(lower, headers[name] as string);
  }
  return out;
}

export type InviteRouting = CallServices & {
  inFlight: InFlight;
  /** An INVITE for a dialog we do not have (counted, answered 481). */
  onUnmatched: (method: string) => void;
  /** An INVITE left unanswered because any answer would take drachtio-server down (counted). */
  onUnanswerable: (reason: 'contact-without-host') => void;
  /** Every INVITE outside a dialog this Srf's drachtio-server handed up (counted per server). */
  onInvite?: () => void;
  /** How often a caller still waiting gets its last 18x again (inbound-leg.ts); 0: never. */
  ringingRefreshMs?: number;
};

export function routeInvites(srf: Srf, services: InviteRouting): void {
  const ringing = new RingingRefresh(services.ringingRefreshMs ?? 0);
  const unanswered = new EveryMinute();
  srf.invite((req, res) => {
    services.onInvite?.();
    if (contactWithoutHost(req.get('Contact'))) {
      services.onUnanswerable('contact-without-host');
      const since = unanswered.tick();
      if (since !== undefined)
        services.logger.warn(
          { sourceAddress: req.source_address, unanswered: since },
          'INVITEs whose Contact names no host left unanswered: any answer would crash drachtio-server v0.9.10',
        );
      return;
    }
    // drachtio-server routes an INVITE whose To tag matches none of its dialogs as a new one
    // (controller.cpp processMessageStatelessly): it belongs to no call of ours (RFC 3261 12.2.2)
    if (hasToTag(req)) {
      services.onUnmatched('INVITE');
      res.send(481);
      return;
    }
    const { facts, offer } = readInvite(req, performance.now());
    const leg = inboundLeg(srf, req, res, services.inFlight, offer, ringing, facts.require);
    // this handler lives as long as the call: it names no `req` (dialog-memory.ts)
    handleInvite(facts, leg, services).catch((err: unknown) => {
      services.logger.error({ err, callId: facts.callId }, 'call failed unexpectedly');
      leg.reject(500);
    });
  });
}

/**
 * A Contact whose first URI names no host (`*`, `<tel:…>`, anything but sip:/sips: with a host).
 * drachtio-server v0.9.10 dies (SIGSEGV) on the first answer to such an INVITE, whatever its
 * status: its SipDialog's UDP NAT check compares the source address with that host, a null
 * pointer (sip-dialog.cpp). Left unanswered, the server drops the INVITE after its own timeout
 * and lives (both seen on the binary).
 */
export function contactWithoutHost(contact: string | undefined): boolean {
  if (contact === undefined) return false;
  const unquoted = contact.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  const uri = /<([^>]*)>/.exec(unquoted)?.[1] ?? unquoted.split(/[;,]/)[0] ?? '';
  return !/^sips?:(?:[^@]*@)?(?:\[[^\]]+\]|[^\s;:?@[\]]+)(?=$|[:;?])/i.test(uri.trim());
}

function hasToTag(req: SrfRequest): boolean {
  try {
    return Boolean(req.getParsedHeader('To').params.tag);
  } catch {
    return /;\s*tag=/i.test(req.get('To') ?? '');
  }
}

/**
 * OPTIONS outside a dialog: 200 while the node takes calls, 503 otherwise (draining, no valid
 * dialplan yet) so a carrier's SBC routes around this node. drachtio-server passes OPTIONS up
 * only to an app that routed them, else answers 503 itself (traces/options-keepalive.txt). A
 * source the edge would refuse calls from gets the same 403 as its INVITEs: scanners probe with
 * OPTIONS to find SIP nodes.
 */
export function answerOptions(
  srf: Srf,
  state: () => { ready: boolean; draining: boolean },
  retryAfterSeconds: number,
  knows: (source: string) => boolean,
): void {
  srf.options((req, res) => {
    if (!knows(req.source_address)) {
      res.send(403);
      return;
    }
    const { ready, draining } = state();
    if (ready) {
      res.send(200, { headers: { Allow: ALLOW, Accept: ACCEPTED_BODIES } });
      return;
    }
    res.send(503, draining ? { headers: { 'Retry-After': String(retryAfterSeconds) } } : {});
  });
}
