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

export function familyOf(address: string): 'ipv4' | 'ipv6' {
  return isIP(address) === 6 ? 'ipv6' : 'ipv4';
}

type Entry = { carrier: Carrier; nets: BlockList; bucket?: TokenBucket };

export class CarrierTable {
  readonly #entries: Entry[];

  /** The carriers must be valid (the carriers file loader checks them); `now` is monotonic. */
  constructor(carriers: readonly Carrier[], now: number) {
    this.#entries = carriers.map((carrier) => {
      const nets = new BlockList();
      for (const text of carrier.cidrs) {
        const cidr = parseCidr(text);
        if (!cidr) throw new Error(`carrier ${carrier.name}: '${text}' is not an address or CIDR`);
        nets.addSubnet(cidr.address, cidr.prefix, cidr.family);
      }
      const rate = carrier.callsPerSecond;
      const burst = carrier.burst ?? Math.max(1, Math.ceil(rate ?? 1));
      return { carrier, nets, ...(rate && { bucket: new TokenBucket(rate, burst, now) }) };
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
    const entry = this.#entries.find((e) => e.carrier === carrier);
    return entry?.bucket ? entry.bucket.take(now) : true;
  }

  #find(address: string): Entry | undefined {
    const family = familyOf(address);
    return this.#entries.find((e) => e.nets.check(address, family));
  }
}
