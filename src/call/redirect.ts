/**
 * Where a destination's 3xx may send the call, decided purely. A redirect is the dealer (or the
 * trunk) choosing a new target, so the same rules hold as for a dealer's blind transfer
 * (transfer-target.ts): a number goes out through the trunk, DE/AT only unless the number's
 * `options.transfer.international` allows more, never to one of our tracking numbers; a SIP URI
 * without a number goes as written, without the trunk's credentials. srf's own followRedirects
 * would dial the first Contact blindly, with the trunk's credentials, so it stays off.
 */
import type { DialFailure, DialResult } from './ports.js';
import { type TransferPolicy, transferTarget } from './transfer-target.js';
import type { NamedTarget } from './trunk-leg.js';

export type RedirectTarget = NamedTarget;

export type RedirectDecision =
  | { follow: true; target: RedirectTarget }
  | {
      follow: false;
      cause: Extract<DialFailure, 'redirect-refused' | 'redirect-limit'>;
      why: string;
    };

/**
 * `hops`: redirects already followed for this destination. The first Contact (by q) the rules
 * allow is taken; none allowed is a refusal with the first Contact's reason.
 */
export function redirectTarget(
  contacts: readonly string[],
  hops: number,
  maxRedirects: number,
  policy: TransferPolicy,
): RedirectDecision {
  if (hops >= maxRedirects)
    return { follow: false, cause: 'redirect-limit', why: `more than ${maxRedirects} redirects` };
  let why = 'no Contact';
  for (const [i, contact] of contacts.entries()) {
    const target = transferTarget(contact, policy);
    if (target.ok) return { follow: true, target };
    if (i === 0) why = target.reason;
  }
  return { follow: false, cause: 'redirect-refused', why };
}

/**
 * A destination's failure that is a 3xx with Contacts: where it may go, or why not; undefined
 * for any other failure, or when redirects are not followed at all (`redirect` absent).
 */
export function redirectOf(
  result: Extract<DialResult, { kind: 'failed' }>,
  hops: number,
  redirect: { policy: TransferPolicy; max: number } | undefined,
): RedirectDecision | undefined {
  if (!redirect || !result.contacts || result.status < 300 || result.status >= 400) return;
  return redirectTarget(result.contacts, hops, redirect.max, redirect.policy);
}
