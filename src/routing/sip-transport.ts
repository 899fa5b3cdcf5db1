/**
 * The transport a SIP URI asks drachtio-server to send over. sofia-sip takes it from the
 * Request-URI: `;transport=` when written, TLS for `sips:` (RFC 3261 19.1.2, 26.2.2); a plain
 * `sip:` leaves the choice to the server. drachtio-server refuses a leg on a transport it does
 * not listen on (`requested protocol/transport not available`, and its stack's `416` for a bare
 * `sips:` without TLS), so such a destination fails on every call: said at the load, not then.
 */

/**
 * What the gateway dials over. Not `ws`/`wss`: drachtio-server only answers WebSocket clients
 * that connected to it, it opens none to a PBX; not `sctp`: sofia-sip as drachtio builds it has none.
 */
export type SipTransport = 'udp' | 'tcp' | 'tls';

export type TransportParam =
  | { ok: true; transport?: SipTransport }
  | { ok: false; problem: string };

const TRANSPORT = /^;transport=(.*)$/i;
const KNOWN = /^(?:udp|tcp|tls)$/i;

/**
 * The `;transport=` among a URI's parameters (`;user=phone;transport=TCP`), checked: one the
 * gateway can dial, at most once, and not UDP under `sips:` (RFC 5630: TLS on every hop).
 */
export function transportParam(scheme: 'sip' | 'sips', params: string): TransportParam {
  let transport: SipTransport | undefined;
  for (const param of params.match(/;[^;]*/g) ?? []) {
    const value = TRANSPORT.exec(param)?.[1];
    if (value === undefined) continue;
    if (!KNOWN.test(value))
      return {
        ok: false,
        problem: `has the parameter '${param}': only ;transport=udp|tcp|tls is allowed`,
      };
    if (transport) return { ok: false, problem: 'names ;transport= twice' };
    transport = value.toLowerCase() as SipTransport;
  }
  if (scheme === 'sips' && transport === 'udp')
    return { ok: false, problem: 'asks for sips: over UDP' };
  return { ok: true, ...(transport && { transport }) };
}

export type IpFamily = 'IPv4' | 'IPv6';

/**
 * What a URI needs a server to listen on, as people say it: `tls`, `IPv6`, `tcp over IPv6`.
 * sofia-sip sends over a transport of the destination's address family only: drachtio-server
 * v0.9.10 with no IPv6 contact refuses an `[2001:db8::1]` destination at once as it refuses
 * `;transport=tls` (checked on the binary), so a literal address names its family.
 */
export type Need = SipTransport | IpFamily | `${SipTransport} over ${IpFamily}`;

const joined = (transport: SipTransport | undefined, family: IpFamily | undefined) =>
  (transport && family ? `${transport} over ${family}` : (transport ?? family)) as Need | undefined;

/**
 * What a checked SIP URI needs the server to listen on: TLS for `sips:`, its `;transport=`, the
 * family of a literal address; nothing for a plain `sip:` to a host name (undefined).
 */
export function transportNeeded(uri: string): Need | undefined {
  const scheme = /^sips:/i.test(uri) ? 'sips' : 'sip';
  const at = uri.lastIndexOf('@');
  // the user part may hold ';' and '=': parameters follow the host
  const hostPart = uri.slice(at === -1 ? scheme.length + 1 : at + 1);
  const semi = hostPart.indexOf(';');
  const param = semi === -1 ? undefined : transportParam(scheme, hostPart.slice(semi));
  const named = param?.ok ? param.transport : undefined;
  return joined(scheme === 'sips' ? 'tls' : named, familyOf(hostPart));
}

/** The family of a literal address at the start of `host[:port][;params]`, else undefined. */
function familyOf(host: string): IpFamily | undefined {
  if (host.startsWith('[')) return 'IPv6';
  return /^[0-9]{1,3}(?:\.[0-9]{1,3}){3}(?:[:;]|$)/.test(host) ? 'IPv4' : undefined;
}

/**
 * What a server offers, from its answer to `authenticate` (drachtio-srf's `connect` event):
 * `udp/[::1]:5060,tcp/10.0.0.1:5060,udp/10.0.0.1:5060`, one entry per contact and transport. Each
 * entry offers its transport, its family and both (`udp`, `IPv6`, `udp over IPv6`), so a need
 * is met when the set has it.
 */
export function offeredTransports(hostports: string): ReadonlySet<string> {
  const offered = new Set<string>();
  for (const entry of hostports.split(',')) {
    const slash = entry.indexOf('/');
    if (slash <= 0) continue;
    const transport = entry.slice(0, slash).trim().toLowerCase() as SipTransport;
    const family: IpFamily = entry.slice(slash + 1).startsWith('[') ? 'IPv6' : 'IPv4';
    for (const need of [transport, family, joined(transport, family)]) if (need) offered.add(need);
  }
  return offered;
}
