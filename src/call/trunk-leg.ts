/**
 * What a dealer leg through the carrier trunk carries beyond a leg to a dealer's own SIP URI: the
 * trunk's scheme and transport, the digest credentials (never sent anywhere else), and the
 * operator's P-Asserted-Identity where the carrier demands one. The caller's presentation stays
 * as it is: a withheld caller keeps the anonymous From, and `Privacy: id` asks the carrier to
 * keep the operator's identity to itself too (RFC 3325 9.3).
 */
import { type TrunkAccess, trunkUri } from '../routing/trunk.js';
import type { DialRequest, Presentation } from './ports.js';

export type TrunkLeg = Pick<DialRequest, 'uri' | 'headers' | 'auth'>;

export function viaTrunk(trunk: TrunkAccess, e164: string, p: Presentation): TrunkLeg {
  const uri = trunkUri(trunk.route, e164);
  const auth = trunk.auth && { auth: trunk.auth };
  if (!trunk.assertedIdentity) return { uri, headers: p.headers, ...auth };
  const withheld = p.callingNumber === 'anonymous';
  return {
    uri,
    headers: {
      ...p.headers,
      'P-Asserted-Identity': `<tel:${trunk.assertedIdentity}>`,
      ...(withheld && { Privacy: 'id' }),
    },
    ...auth,
  };
}
