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

/**
 * What a checked SIP URI needs the server to listen on: TLS for `sips:`, its `;transport=`,
 * nothing for a plain `sip:` (undefined).
 */
export function transportNeeded(uri: string): SipTransport | undefined {
  const scheme = /^sips:/i.test(uri) ? 'sips' : 'sip';
  if (scheme === 'sips') return 'tls';
  const semi = uri.indexOf(';', uri.lastIndexOf('@') + 1);
  if (semi === -1) return undefined;
  const param = transportParam(scheme, uri.slice(semi));
  return param.ok ? param.transport : undefined;
}

/**
 * The transports in drachtio-server's answer to `authenticate` (drachtio-srf's `connect` event):
 * `tcp/10.0.0.1:5060,udp/10.0.0.1:5060`, one entry per contact and transport, lower-cased.
 */
export function offeredTransports(hostports: string): ReadonlySet<string> {
  const offered = new Set<string>();
  for (const entry of hostports.split(',')) {
    const slash = entry.indexOf('/');
    if (slash > 0) offered.add(entry.slice(0, slash).trim().toLowerCase());
  }
  return offered;
}
