/**
 * Who is calling, as far as the dealer may know it. A caller who withholds the number (CLIR:
 * `Privacy: id|user|header`, or an anonymous From) stays withheld: the dealer sees `anonymous`,
 * and no header of the dealer leg carries the number. A withholding request is honoured from any
 * source (it can only hide a number); P-Asserted-Identity is believed only from a carrier trusted
 * for identity (RFC 3325 trust domain) and ignored from everyone else, who could put any number
 * in it. The display name is made safe for headers here, once. Pure.
 */
import { normalise } from '../numbering/normalise.js';
import { safeDisplayName } from './display-name.js';

export type CallerFacts = { from?: string; privacy?: string; assertedIdentity?: string };
/** `unknown`: the caller sent no number we can read (e.g. `sip:alice@host`); shown as anonymous too. */
export type CallerId =
  | { kind: 'withheld' }
  | { kind: 'unknown' }
  | { kind: 'number'; number: string; name?: string };

const WITHHOLDING = new Set(['id', 'user', 'header']);

export function callerId(
  facts: CallerFacts,
  defaultCountryCode: string,
  trustIdentity: boolean,
): CallerId {
  const privacy = (facts.privacy ?? '').toLowerCase().split(/[;,\s]+/);
  if (privacy.some((p) => WITHHOLDING.has(p))) return { kind: 'withheld' };
  const from = facts.from ?? '';
  if (isAnonymous(from)) return { kind: 'withheld' };
  // a trusted carrier's P-Asserted-Identity is the network-verified number; From is what the caller set
  const asserted = trustIdentity ? facts.assertedIdentity : undefined;
  const number = normalise(uriOf(asserted ?? from), { defaultCountryCode });
  if (typeof number !== 'string') return { kind: 'unknown' };
  const name = safeDisplayName(displayName(from));
  return name ? { kind: 'number', number, name } : { kind: 'number', number };
}

function isAnonymous(from: string): boolean {
  const f = from.toLowerCase();
  return (
    /sips?:anonymous@/.test(f) ||
    f.includes('@anonymous.invalid') ||
    /^\s*"?anonymous"?\s*</.test(f)
  );
}

/** The address of a name-addr, past a quoted display name that may itself hold `<sip:…>`. */
function uriOf(header: string): string {
  const rest = header.replace(/^\s*"(?:[^"\\]|\\.)*"\s*/, '');
  return /<([^>]*)>/.exec(rest)?.[1] ?? rest;
}

function displayName(header: string): string | undefined {
  const quoted = /^\s*"((?:[^"\\]|\\.)*)"\s*</.exec(header);
  if (quoted?.[1]) return quoted[1].replace(/\\(.)/g, '$1');
  const token = /^\s*([^<"]+?)\s*</.exec(header);
  return token?.[1] || undefined;
}

/** The From display name on the dealer's phone: the channel prefix, then the caller's name. */
export function dealerDisplayName(
  caller: CallerId,
  prefix: string | undefined,
): string | undefined {
  const name = caller.kind === 'number' ? caller.name : 'Anonymous';
  const parts = [prefix, name].filter((p): p is string => Boolean(p));
  // the prefix comes from a dialplan: made safe as well, and the whole kept within the limit
  return parts.length ? safeDisplayName(parts.join(' '), 64) : undefined;
}
