/**
 * Admission of a new INVITE before any routing work, in this order: the carrier allow-list,
 * known scanner user agents, a per-source rate limit, draining. Pure: the caller passes the
 * source address drachtio reported (never a header) and the clock.
 */
import { BlockList, isIP } from 'node:net';

export type AdmissionReason = 'not-allowed' | 'scanner' | 'rate-limited' | 'draining';
export type Admission = { ok: true } | { ok: false; reason: AdmissionReason };

export type AdmissionConfig = {
  carrierAllowlist: readonly string[];
  scannerUserAgents: readonly string[];
  rateLimit: { callsPerSecond: number; burst: number };
};

/** Token bucket per source address; idle buckets are dropped once they would be full again. */
export class RateLimiter {
  readonly #rate: number;
  readonly #burst: number;
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  constructor(callsPerSecond: number, burst: number) {
    this.#rate = callsPerSecond / 1000;
    this.#burst = burst;
  }

  take(source: string, now: number): boolean {
    const b = this.#buckets.get(source) ?? { tokens: this.#burst, at: now };
    b.tokens = Math.min(this.#burst, b.tokens + (now - b.at) * this.#rate);
    b.at = now;
    this.#buckets.set(source, b);
    if (this.#buckets.size > 10_000) this.#sweep(now);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  #sweep(now: number): void {
    const refill = this.#burst / this.#rate;
    for (const [k, b] of this.#buckets) if (now - b.at >= refill) this.#buckets.delete(k);
  }
}

export function allowList(entries: readonly string[]): BlockList | undefined {
  if (entries.length === 0) return undefined;
  const list = new BlockList();
  for (const entry of entries) {
    const [address = '', prefix] = entry.split('/');
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (!isIP(address))
      throw new Error(`carrier allow-list: '${entry}' is not an IP address or CIDR range`);
    if (prefix === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(prefix), family);
  }
  return list;
}

export class Admitter {
  readonly #allow: BlockList | undefined;
  readonly #scanners: readonly string[];
  readonly #limiter: RateLimiter;
  draining = false;

  constructor(config: AdmissionConfig) {
    this.#allow = allowList(config.carrierAllowlist);
    this.#scanners = config.scannerUserAgents.map((s) => s.toLowerCase());
    this.#limiter = new RateLimiter(config.rateLimit.callsPerSecond, config.rateLimit.burst);
  }

  /** Whether every source is allowed (an empty list), for the start-up log. */
  get allowsAll(): boolean {
    return this.#allow === undefined;
  }

  admit(source: string, userAgent: string | undefined, now: number): Admission {
    if (this.#allow && !this.#allow.check(source, isIP(source) === 6 ? 'ipv6' : 'ipv4'))
      return { ok: false, reason: 'not-allowed' };
    const ua = userAgent?.toLowerCase();
    if (ua && this.#scanners.some((s) => ua.includes(s))) return { ok: false, reason: 'scanner' };
    if (!this.#limiter.take(source, now)) return { ok: false, reason: 'rate-limited' };
    if (this.draining) return { ok: false, reason: 'draining' };
    return { ok: true };
  }
}

/** The SIP answer for each admission refusal. Scanners get the same plain 403 as strangers. */
export const ADMISSION_ANSWERS: Readonly<
  Record<AdmissionReason, { status: number; retryAfter: boolean; log: string }>
> = {
  'not-allowed': { status: 403, retryAfter: false, log: 'source is not in the carrier allow-list' },
  scanner: { status: 403, retryAfter: false, log: 'scanner user agent' },
  'rate-limited': { status: 503, retryAfter: true, log: 'source exceeded its call rate' },
  draining: { status: 503, retryAfter: true, log: 'draining for shutdown' },
};
