/**
 * The drachtio-srf INVITE handler: turns the request into plain facts and an InboundLeg, runs the
 * call path, and catches every rejection at this edge so no call can crash the process.
 */
import { type CallServices, handleInvite, type InviteFacts } from '../call/handle-invite.js';
import { inboundLeg } from './inbound-leg.js';
import type { Srf, SrfRequest } from './srf-types.js';

export function inviteFacts(req: SrfRequest): InviteFacts {
  const header = (name: string) => req.get(name) || undefined;
  const facts: InviteFacts = {
    callId: req.get('Call-ID') ?? req.callId,
    sourceAddress: req.source_address,
    requestUri: req.uri,
  };
  const optional = {
    userAgent: header('User-Agent'),
    to: header('To'),
    from: header('From'),
    privacy: header('Privacy'),
    assertedIdentity: header('P-Asserted-Identity'),
  };
  for (const [k, v] of Object.entries(optional))
    if (v !== undefined) (facts as unknown as Record<string, string>)[k] = v;
  return facts;
}

export function routeInvites(srf: Srf, services: CallServices): void {
  srf.invite((req, res) => {
    const receivedAt = performance.now();
    const leg = inboundLeg(srf, req, res);
    handleInvite({ ...inviteFacts(req), receivedAt }, leg, services).catch((err: unknown) => {
      services.logger.error({ err, callId: req.get('Call-ID') }, 'call failed unexpectedly');
      leg.reject(500);
    });
  });
}
