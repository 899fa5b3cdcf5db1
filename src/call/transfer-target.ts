/**
 * Where a dealer may transfer a caller (REFER's Refer-To), decided purely: a number (`tel:`, or a
 * SIP URI whose user part is one) goes out through the trunk like an E.164 destination, and only
 * to DE/AT numbers unless the number's options allow international targets; never to a tracking
 * number (that would loop through the network as a new billed call); a SIP URI without a number
 * goes as written.
 */
import { classify } from '../numbering/classify.js';
import { normalise } from '../numbering/normalise.js';
import { parseDestination } from '../routing/destination.js';
import type { TrunkAccess } from '../routing/trunk.js';

export type TransferPolicy = {
  /** OUTBOUND_TRUNK: numbers go through it. */
  trunk: TrunkAccess;
  defaultCountryCode: string;
  /** The number's `options.transfer.international`. */
  international: boolean;
  /** True for any number in the route table (active or not). */
  isTrackingNumber: (e164: string) => boolean;
};

export type TransferTarget =
  | { ok: true; kind: 'e164'; number: string }
  | { ok: true; kind: 'sip'; uri: string }
  | { ok: false; status: number; reason: string };

const refused = (reason: string): TransferTarget => ({ ok: false, status: 403, reason });

export function transferTarget(target: string, policy: TransferPolicy): TransferTarget {
  const number = normalise(target, { defaultCountryCode: policy.defaultCountryCode });
  if (typeof number === 'string') {
    if (policy.isTrackingNumber(number)) return refused('Transfer To A Tracking Number');
    const c = classify(number);
    if (c.kind === 'invalid') return { ok: false, status: 404, reason: 'Not A Valid Number' };
    if (c.country === 'other' && !policy.international)
      return refused('Transfer Outside DE/AT Not Allowed');
    return { ok: true, kind: 'e164', number };
  }
  // digits too few or ambiguous (+49 030…), or a tel: URI that is none: not a SIP URI to send
  if (number.reason !== 'malformed' || /^tel:/i.test(target))
    return { ok: false, status: 404, reason: 'Not A Valid Number' };
  const checked = parseDestination(target, 0);
  if (!checked.ok) return { ok: false, status: 400, reason: 'Invalid Refer-To' };
  return { ok: true, kind: 'sip', uri: target };
}
