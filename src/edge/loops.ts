/**
 * Loops through the network. A dealer who forwards its phone to its own tracking number sends
 * the call back to us, and each lap is a new billed call. Three stops, in the order a lap meets
 * them: the dealer leg names the tracking number (History-Info, RFC 7044, or Diversion,
 * RFC 5806, per customer; PBXs route on them), so the call coming back carrying it is refused
 * with 482; Max-Forwards is carried over decremented (RFC 3261 16.6 step 3), so a loop through
 * PBXs that drop those headers still ends, with 483 where it reaches 0; and a per-number cap
 * on concurrent calls (counted per gateway node) stops what gets past both. Pure.
 */
import { normalise } from '../numbering/normalise.js';

export type TrackingHeader = 'none' | 'history-info' | 'diversion';

/** RFC 3261 8.1.1.6: what a UAC starts with. */
export const DEFAULT_MAX_FORWARDS = 70;

/**
 * The dealer leg's Max-Forwards from the caller's: one less, or undefined when the caller's is
 * 0 (the call must not be forwarded: 483). A missing or unreadable header counts as absent.
 */
export function forwardedMaxForwards(header: string | undefined): number | undefined {
  const text = header?.trim() ?? '';
  if (!/^[0-9]{1,3}$/.test(text)) return DEFAULT_MAX_FORWARDS - 1;
  const hops = Math.min(Number(text), 255);
  return hops === 0 ? undefined : hops - 1;
}

/**
 * Whether the call is one of ours coming back: a Diversion entry names `number` (E.164) as a
 * number the call was diverted from, or a History-Info entry other than the last does (the last
 * hi-entry is the current target, RFC 7044 9.1: a carrier that records History-Info names our
 * tracking number there on every ordinary call; only a call that was retargeted away from it
 * and came back has it earlier).
 */
export function loopsBack(
  headers: { historyInfo?: string | undefined; diversion?: string | undefined },
  number: string,
  defaultCountryCode: string,
): boolean {
  const names = (uri: string) => normalise(uri, { defaultCountryCode }) === number;
  const earlier = headers.historyInfo ? uris(headers.historyInfo).slice(0, -1) : [];
  const diverted = headers.diversion ? uris(headers.diversion) : [];
  return earlier.some(names) || diverted.some(names);
}

/** The URIs of a header that may hold several comma-separated name-addrs. */
function uris(header: string): string[] {
  const bracketed = [...header.matchAll(/<([^>]*)>/g)].map((m) => m[1] ?? '');
  if (bracketed.length > 0) return bracketed;
  return header.split(',').map((part) => part.split(';')[0]?.trim() ?? '');
}

const HOST = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$/;

/**
 * The host to name the tracking number with: the one the caller's Request-URI addressed (the
 * target as it was, RFC 7044 9.1), when it is a plain host[:port]; never anything that could
 * break out of the header.
 */
export function targetHost(requestUri: string): string {
  const host = /^sips?:(?:[^@;?]*@)?([^;?]+)/i.exec(requestUri)?.[1] ?? '';
  return HOST.test(host) ? host : 'calltrack.invalid';
}

/**
 * The header naming the tracking number on the leg to `destinationUri`. History-Info: the
 * tracking number as the first target (index=1), the dealer's destination as the retargeted one
 * (index=1.1, cause=302 unconditional forwarding, RFC 4458; mp: another user, RFC 7044 10.1).
 * Diversion: the tracking number diverted unconditionally, counter 1.
 */
export function trackingHeaders(
  mode: TrackingHeader,
  number: string,
  host: string,
  destinationUri: string,
): Record<string, string> {
  const tracking = `<sip:${number}@${host};user=phone>`;
  if (mode === 'diversion') return { Diversion: `${tracking};reason=unconditional;counter=1` };
  if (mode === 'history-info')
    return {
      'History-Info': `${tracking};index=1,<${withCause(destinationUri)}>;index=1.1;mp=1`,
    };
  return {};
}

/** `cause=302` as a URI parameter, before any `?headers` part. */
function withCause(uri: string): string {
  const q = uri.indexOf('?');
  return q < 0 ? `${uri};cause=302` : `${uri.slice(0, q)};cause=302${uri.slice(q)}`;
}

/**
 * Calls in progress per tracking number on this node: the last stop for a loop that got past
 * the headers and hops, and a cap a customer can set. A call that entered must leave once.
 */
export class NumberCalls {
  readonly #counts = new Map<string, number>();

  /** False (and nothing counted) when the number is at its cap. */
  enter(number: string, max: number | undefined): boolean {
    const now = this.#counts.get(number) ?? 0;
    if (max !== undefined && now >= max) return false;
    this.#counts.set(number, now + 1);
    return true;
  }

  leave(number: string): void {
    const now = this.#counts.get(number) ?? 0;
    if (now <= 1) this.#counts.delete(number);
    else this.#counts.set(number, now - 1);
  }

  count(number: string): number {
    return this.#counts.get(number) ?? 0;
  }
}
