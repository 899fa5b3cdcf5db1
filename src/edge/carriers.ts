/**
 * The carriers this node takes calls from, by the source address drachtio-server reports (never
 * a header): each a name, its networks, whether its P-Asserted-Identity and Privacy are believed
 * (RFC 3325 trust domain), and an optional call rate of its own. Pure.
 */
import { BlockList, isIP } from 'node:net';
import { TokenBucket } from './token-bucket.js';

export type Carrier = {
  readonly name: string;
  readonly cidrs: readonly string[];
  readonly trustIdentity: boolean;
  readonly callsPerSecond?: number;
  /** Calls at once before the rate applies; defaults to one second's worth (at least 1). */
  readonly burst?: number;
};

/** `192.0.2.0/24`, `2001:db8::/32`, or a bare address (a /32 or /128). */
export function parseCidr(
  text: string,
): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | undefined {
  const [address = '', prefixText, extra] = text.trim().split('/');
  const version = isIP(address);
  if (version === 0 || extra !== undefined) return undefined;
  const max = version === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (!/^[0-9]{1,3}$/.test(prefixText ?? '0') || prefix > max) return undefined;
  return { address, prefix, family: version === 4 ? 'ipv4' : 'ipv6' };
}

type Entry = { carrier: Carrier; nets: BlockList; v4: V4Net[] };
type V4Net = { network: number; mask: number };

/** A dotted-quad IPv4 address as an unsigned 32-bit number; -1 when it is not one. */
export function ipv4Value(address: string): number {
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < address.length; i++) {
    const c = address.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      part = part * 10 + (c - 48);
      if (++digits > 3 || part > 255) return -1;
    } else if (c === 46 && digits > 0 && dots < 3) {
      value = value * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else return -1;
  }
  return dots === 3 && digits > 0 ? value * 256 + part : -1;
}

/**
 * An IPv4-mapped IPv6 address (`::ffff:192.0.2.7`, what a dual-stack socket reports for an IPv4
 * peer) as the IPv4 address it is, so a carrier's IPv4 networks and a source's rate see one
 * address whichever way drachtio-server listens; any other address as given.
 */
export function plainAddress(address: string): string {
  // an IPv4 source (the common case) starts with a digit: no string work for it
  if (address.charCodeAt(0) !== 58 || address.slice(0, 7).toLowerCase() !== '::ffff:')
    return address;
  const v4 = address.slice(7);
  return ipv4Value(v4) >= 0 ? v4 : address;
}

function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

export class CarrierTable {
  readonly #entries: Entry[];
  /** Each carrier's own rate, found per INVITE without searching the entries again. */
  readonly #buckets = new Map<Carrier, TokenBucket>();

  /** The carriers must be valid (the carriers file loader checks them); `now` is monotonic. */
  constructor(carriers: readonly Carrier[], now: number) {
    this.#entries = carriers.map((carrier) => {
      // IPv4 is matched by hand: BlockList.check costs ~3.6 µs per call, more than the rest of
      // admission together (bench/admission.ts); IPv6 sources are rare enough for BlockList
      const nets = new BlockList();
      const v4: V4Net[] = [];
      for (const text of carrier.cidrs) {
        const cidr = parseCidr(text);
        if (!cidr) throw new Error(`carrier ${carrier.name}: '${text}' is not an address or CIDR`);
        if (cidr.family === 'ipv6') nets.addSubnet(cidr.address, cidr.prefix, cidr.family);
        else {
          const mask = maskOf(cidr.prefix);
          v4.push({ network: (ipv4Value(cidr.address) & mask) >>> 0, mask });
        }
      }
      const rate = carrier.callsPerSecond;
      const burst = carrier.burst ?? Math.max(1, Math.ceil(rate ?? 1));
      if (rate) this.#buckets.set(carrier, new TokenBucket(rate, burst, now));
      return { carrier, nets, v4 };
    });
  }

  get names(): string[] {
    return this.#entries.map((e) => e.carrier.name);
  }

  /** The carrier a source address belongs to, if any (the first listed wins). */
  match(address: string): Carrier | undefined {
    return this.#find(address)?.carrier;
  }

  /** Takes a token from the carrier's own rate; true when it has none configured. */
  take(carrier: Carrier, now: number): boolean {
    return this.#buckets.get(carrier)?.take(now) ?? true;
  }

  #find(address: string): Entry | undefined {
    const v4 = ipv4Value(address);
    if (v4 >= 0)
      return this.#entries.find((e) => e.v4.some((n) => (v4 & n.mask) >>> 0 === n.network));
    if (isIP(address) !== 6) return undefined;
    return this.#entries.find((e) => e.nets.check(address, 'ipv6'));
  }
}
