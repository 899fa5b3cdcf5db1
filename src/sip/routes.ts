/**
 * DRAIN_ROUTES=withdraw: a draining gateway withdraws from drachtio-server's choice of app for
 * new requests, so a server shared with other gateways gives them its new calls instead of
 * handing this one its turn, which it could only refuse (503 + Retry-After, which the carrier
 * would hold against the whole server). drachtio-server (client.cpp `remove_route`, v0.9.0 and
 * later) erases every route of the app whatever verb is named; both verbs are named all the
 * same, so a server that one day honours the verb still sends OPTIONS elsewhere. Requests inside
 * a dialog and CANCELs of pending INVITEs are not routed by verb: calls in progress keep their
 * signalling. A server with no other app answers new requests 503 itself, without Retry-After.
 */
import type { Srf } from './srf-types.js';

/** The verbs the gateway takes outside a dialog (inbound.ts). */
const ROUTED_VERBS = ['invite', 'options'] as const;

/**
 * Sends `remove_route` for each verb drachtio-srf still holds a route for. drachtio-srf forgets
 * a verb once it was sent on a connection that is up; on a connection that is down the verb
 * stays, and drachtio-srf routes it again at the reconnect: then call this again.
 */
export function withdrawRoutes(srf: Srf): number {
  let sent = 0;
  for (const verb of ROUTED_VERBS) {
    try {
      srf.unregisterForMessages(verb);
      sent++;
    } catch {
      // drachtio-srf holds no route for it: withdrawn on an earlier call
    }
  }
  return sent;
}
