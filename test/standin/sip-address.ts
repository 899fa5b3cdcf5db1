// name-addr, SIP URI and Via values: just enough structure to build dialogs and route messages.
import { isIP } from 'node:net';

export interface NameAddr {
  display: string;
  uri: string;
  /** Header parameters as written, each starting with `;` (e.g. `;tag=abc;foo`). */
  params: string;
}

export function parseNameAddr(value: string): NameAddr {
  const v = value.trim();
  const open = indexOutsideQuotes(v, '<');
  if (open >= 0) {
    const close = v.indexOf('>', open);
    const end = close < 0 ? v.length : close;
    return {
      display: v.slice(0, open).trim(),
      uri: v.slice(open + 1, end).trim(),
      params: close < 0 ? '' : leadingParams(v.slice(close + 1)),
    };
  }
  // Without angle brackets every `;param` belongs to the header, not the URI (RFC 3261 20.10).
  const semi = v.indexOf(';');
  return semi < 0
    ? { display: '', uri: v, params: '' }
    : { display: '', uri: v.slice(0, semi), params: v.slice(semi) };
}

/**
 * The `;name[=value]` run right after the `>`: sofia's parser stops at anything else and the
 * re-encoded header keeps only what it parsed. An app From of
 * `"Max" <sip:110@evil>;x="" <sip:+49…@localhost>` (an address injected through an unescaped
 * display name) goes out as `"Max" <sip:110@<drachtio's host:port>>;x=""` (real v0.9.10).
 */
const PARAM = /^\s*;\s*[^\s;=",<>]+(?:\s*=\s*(?:"(?:[^"\\]|\\.)*"|[^\s;",<>]*))?/;

function leadingParams(rest: string): string {
  let out = '';
  let tail = rest;
  for (let m = PARAM.exec(tail); m; m = PARAM.exec(tail)) {
    out += m[0];
    tail = tail.slice(m[0].length);
  }
  return out.trim();
}

/** sofia always writes From/To/Contact as `[display ]<uri>;params`. */
export function formatNameAddr(addr: NameAddr): string {
  const display = addr.display ? `${addr.display} ` : '';
  return `${display}<${addr.uri}>${addr.params}`;
}

function indexOutsideQuotes(value: string, ch: string): number {
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    // a quoted-pair (`\"`, `\\`) inside a quoted string is one character (RFC 3261 25.1)
    if (c === '\\' && quoted) i++;
    else if (c === '"') quoted = !quoted;
    else if (c === ch && !quoted) return i;
  }
  return -1;
}

export function getParam(params: string, name: string): string | undefined {
  for (const part of params.split(';')) {
    const [key, val] = part.split('=');
    if (key?.trim().toLowerCase() === name) return val?.trim() ?? '';
  }
  return undefined;
}

export function withoutParam(params: string, name: string): string {
  return params
    .split(';')
    .filter((p) => p.trim() && p.split('=')[0]?.trim().toLowerCase() !== name)
    .map((p) => `;${p.trim()}`)
    .join('');
}

export function tagOf(value: string | undefined): string | undefined {
  return value === undefined ? undefined : getParam(parseNameAddr(value).params, 'tag');
}

export interface SipUri {
  scheme: string;
  user: string;
  host: string;
  port: number | undefined;
  /** URI parameters, each starting with `;`. */
  params: string;
}

export function parseUri(uri: string): SipUri | undefined {
  const m = /^(sips?):(?:([^@]*)@)?(\[[^\]]+\]|[^:;?]+)(?::(\d+))?([^?]*)/i.exec(uri.trim());
  if (!m?.[1] || !m[3]) return undefined;
  return {
    scheme: m[1].toLowerCase(),
    user: m[2] ?? '',
    host: m[3],
    port: m[4] ? Number(m[4]) : undefined,
    params: m[5] ?? '',
  };
}

/** Rewrites host and port of the URI inside a name-addr (drachtio's `@localhost` replacement). */
export function replaceHostPort(value: string, host: string, port: number): string | undefined {
  const addr = parseNameAddr(value);
  const uri = parseUri(addr.uri);
  if (!uri) return undefined;
  const user = uri.user ? `${uri.user}@` : '';
  return formatNameAddr({ ...addr, uri: `${uri.scheme}:${user}${host}:${port}${uri.params}` });
}

export interface Via {
  transport: string;
  host: string;
  port: number | undefined;
  params: string;
}

export function parseVia(value: string): Via | undefined {
  const m =
    /^SIP\s*\/\s*2\.0\s*\/\s*([A-Za-z]+)\s+(\[[^\]]+\]|[^:;\s]+)(?:\s*:\s*(\d+))?\s*(.*)$/.exec(
      value.trim(),
    );
  if (!m?.[1] || !m[2]) return undefined;
  return {
    transport: m[1].toUpperCase(),
    host: m[2],
    port: m[3] ? Number(m[3]) : undefined,
    params: m[4] ?? '',
  };
}

export function formatVia(via: Via): string {
  const port = via.port === undefined ? '' : `:${via.port}`;
  return `SIP/2.0/${via.transport} ${via.host}${port}${via.params}`;
}

export function branchOf(viaValue: string | undefined): string {
  const via = viaValue === undefined ? undefined : parseVia(viaValue);
  return via ? (getParam(via.params, 'branch') ?? '') : '';
}

export interface Endpoint {
  address: string;
  port: number;
  /** `tcp`: over the connection to (or from) this address and port; else UDP. */
  transport?: 'tcp';
}

/** `address:port`: how the transports key a peer and the trace names it. */
export const hostPortOf = (e: Endpoint): string => `${e.address}:${e.port}`;

/**
 * Where to send for a URI: IP literals only. A host name, `localhost` included, is undefined: the
 * stand-in does no DNS, and sofia's resolver reads no hosts file (v0.9.10 answers `503 DNS Error`
 * on a machine without DNS, for `localhost` too).
 */
export function uriEndpoint(uri: string): Endpoint | undefined {
  const parsed = parseUri(bareUri(uri));
  if (!parsed) return undefined;
  // sofia sends to maddr's address when the URI names one (nta.c nta_tpn_by_url)
  const host = getParam(parsed.params, 'maddr') ?? parsed.host;
  const address = literalAddress(host.replace(/^\[|\]$/g, ''));
  if (!address) return undefined;
  // the port goes to getaddrinfo as text and comes back cut to 16 bits (70000 is 4464; v0.9.10)
  const port = (parsed.port ?? 5060) & 0xffff;
  return transportOf(uri) === 'tcp' ? { address, port, transport: 'tcp' } : { address, port };
}

/**
 * An IP literal as sofia takes it (up to three digits an octet) and getaddrinfo then reads it:
 * an octet with a leading zero is octal (`127.0.0.010` is 127.0.0.8; seen with v0.9.10).
 */
function literalAddress(host: string): string | undefined {
  if (isIP(host) !== 0) return host;
  const octets = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host)?.slice(1);
  const values = octets?.map((o) => (/^0[0-7]+$/.test(o) ? Number.parseInt(o, 8) : Number(o)));
  if (!values || octets?.some((o) => /^0\d*[89]/.test(o)) || values.some((v) => v > 255))
    return undefined;
  return values.join('.');
}

/** The transport a URI asks for: its `transport` parameter, `tls` for sips:, else udp. */
export function transportOf(uri: string): string {
  const parsed = parseUri(bareUri(uri));
  if (!parsed) return 'udp';
  return (
    getParam(parsed.params, 'transport') ?? (parsed.scheme === 'sips' ? 'tls' : 'udp')
  ).toLowerCase();
}

/** The URI in a Route/Contact-style value (`<uri>;params`) or a bare Request-URI. */
function bareUri(value: string): string {
  return value.includes('<') ? parseNameAddr(value).uri : value.trim();
}
