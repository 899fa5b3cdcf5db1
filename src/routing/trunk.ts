/**
 * The carrier trunk E.164 destinations, transfer and redirect targets go through
 * (OUTBOUND_TRUNK): parsed and checked once at start, then every number's Request-URI is built
 * from it with the scheme and transport the operator wrote (`sips:`, `;transport=tcp|tls`), so
 * a trunk that only speaks TLS is never dialled over UDP.
 */
import { parseDestination } from './destination.js';
import { type SipTransport, transportParam } from './sip-transport.js';

export type Trunk = {
  readonly scheme: 'sip' | 'sips';
  /** `host`, `host:port` or `[v6]:port`, as written. */
  readonly hostPort: string;
  readonly transport?: SipTransport;
};

/** The trunk as the call path uses it: where, with which credentials, asserting which number. */
export type TrunkAccess = {
  readonly route: Trunk;
  /** Digest credentials for the trunk's 401/407; absent: a challenge fails the attempt. */
  readonly auth?: { readonly username: string; readonly password: string };
  /** P-Asserted-Identity number for carriers that demand one from the operator's range. */
  readonly assertedIdentity?: string;
};

export type TrunkParse = { ok: true; trunk: Trunk } | { ok: false; problem: string };

const FORMS = 'sip:host[:port][;transport=udp|tcp|tls], sips:host[:port] or host:port';

export function parseTrunk(value: string): TrunkParse {
  const text = value.trim();
  const scheme = /^(sips?):/i.exec(text)?.[1]?.toLowerCase() as 'sip' | 'sips' | undefined;
  const bad = (why: string): TrunkParse => ({ ok: false, problem: `'${text}' ${why}` });
  // the plain form is host:port; a bare word is more likely a typo than a trunk on port 5060
  if (!scheme && !/^(?:\[[^\]]+\]|[^:;@]+):[0-9]+$/.test(text))
    return bad(`is not a trunk address (${FORMS})`);
  const uri = scheme ? text : `sip:${text}`;
  const rest = uri.slice(uri.indexOf(':') + 1);
  if (rest.includes('@')) return bad('has a user part: the called number goes there');
  const checked = parseDestination(uri, 0);
  if (!checked.ok) return { ok: false, problem: `${checked.reason} (${FORMS})` };
  const [hostPort = '', ...params] = rest.split(';');
  const other = params.find((p) => !/^transport=/i.test(p));
  if (other !== undefined)
    return bad(`has the parameter ';${other}': only ;transport=udp|tcp|tls is allowed`);
  // parseDestination has refused a bad one: an unknown transport, two, UDP under sips:
  const param = transportParam(scheme ?? 'sip', rest.slice(hostPort.length));
  const transport = param.ok ? param.transport : undefined;
  return {
    ok: true,
    trunk: Object.freeze({ scheme: scheme ?? 'sip', hostPort, ...(transport && { transport }) }),
  };
}

/** The Request-URI for a number through the trunk: `sips:+4930…@host:5061;transport=tls`. */
export function trunkUri(trunk: Trunk, e164: string): string {
  const transport = trunk.transport ? `;transport=${trunk.transport}` : '';
  return `${trunk.scheme}:${e164}@${trunk.hostPort}${transport}`;
}
