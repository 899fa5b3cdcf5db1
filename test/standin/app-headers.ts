// What the server does with the SIP text an app sends in a `sip` frame: split it, and filter the
// headers the way drachtio-server's makeTags does (dropped, renamed, `@localhost` replaced).
import { replaceHostPort } from './sip-address.js';
import { canonicalKey, type SipHeader } from './sip-message.js';
import { knownName } from './sip-serialize.js';

export interface AppSip {
  startLine: string;
  headers: SipHeader[];
  /** The lines between the start line and the blank line, as sent (drachtio.cpp splitMsg). */
  headerBlock: string;
  body: string;
}

export function parseAppSip(text: string): AppSip {
  const sep = text.indexOf('\r\n\r\n');
  const head = sep < 0 ? text : text.slice(0, sep);
  const body = sep < 0 ? '' : text.slice(sep + 4);
  const eol = head.indexOf('\r\n');
  const startLine = eol < 0 ? head : head.slice(0, eol);
  const headerBlock = eol < 0 ? '' : head.slice(eol + 2);
  const headers: SipHeader[] = [];
  for (const line of headerBlock === '' ? [] : headerBlock.split('\r\n')) {
    const colon = line.indexOf(':');
    // makeTags skips lines without a colon; keep them out here too.
    if (colon < 0) continue;
    headers.push({ name: line.slice(0, colon).trim(), value: line.slice(colon + 1).trim() });
  }
  return { startLine: startLine.trim(), headers, headerBlock, body };
}

/** Headers an app may not set: the stack owns them. */
const IMMUTABLE = new Set(['via', 'route', 'rseq', 'record-route', 'content-length']);
/** Headers whose `@localhost` is replaced with the server's own host:port. */
const LOCALHOST_HEADERS = new Set(['from', 'to', 'contact', 'p-asserted-identity']);
/** Credentials sofia parses and writes again (msg_auth.c msg_auth_e). */
const AUTH_HEADERS = new Set(['authorization', 'proxy-authorization']);
const TOKEN = /^[A-Za-z0-9\-.!%*_+`'~]+$/;

export interface LocalAddress {
  host: string;
  port: number;
}

/** The app's headers as they would go on the wire, in the app's order. */
export function filterAppHeaders(headers: readonly SipHeader[], local: LocalAddress): SipHeader[] {
  const out: SipHeader[] = [];
  for (const { name, value } of headers) {
    if (!TOKEN.test(name)) continue;
    // Compact names are not expanded here: drachtio-server treats `m:` as a custom header `M`.
    const key = name.toLowerCase();
    if (IMMUTABLE.has(key)) continue;
    const known = key === 'identity' ? undefined : knownName(name);
    if (!known) {
      out.push({ name: capitalizeAfterDash(name), value });
      continue;
    }
    if (AUTH_HEADERS.has(key)) {
      out.push({ name: known, value: sofiaAuth(value) });
      continue;
    }
    const replaced =
      LOCALHOST_HEADERS.has(key) && value.includes('@localhost')
        ? replaceHostPort(value, local.host, local.port)
        : value;
    out.push({ name: known, value: replaced ?? value });
  }
  return out;
}

/**
 * sofia re-encodes Authorization as `scheme SP param, param` (msg_auth_e, MSG_COMMALIST_E), so
 * srf's `Digest a="1",b=2` goes on the wire as `Digest a="1", b=2`.
 */
export function sofiaAuth(value: string): string {
  const space = value.search(/\s/);
  if (space < 0) return value;
  const params = value.slice(space).match(/(?:[^,"]|"(?:[^"\\]|\\.)*")+/g) ?? [];
  return `${value.slice(0, space)} ${params.map((p) => p.trim()).join(', ')}`;
}

/** drachtio-server capitalises custom header names after each dash, except `X-` headers. */
export function capitalizeAfterDash(name: string): string {
  if (/^x-/i.test(name)) return name;
  return name.replace(/(^|-)([a-z])/g, (_m, dash: string, ch: string) => dash + ch.toUpperCase());
}

export function pickHeader(headers: readonly SipHeader[], name: string): string | undefined {
  const key = canonicalKey(name);
  return headers.find((h) => canonicalKey(h.name) === key)?.value;
}

export function withoutHeaders(
  headers: readonly SipHeader[],
  names: readonly string[],
): SipHeader[] {
  const keys = new Set(names.map(canonicalKey));
  return headers.filter((h) => !keys.has(canonicalKey(h.name)));
}

/**
 * The app's headers for a request or response inside a dialog: the dialog's own From, To,
 * Call-ID and CSeq come from the stack, never from the app.
 */
export function inDialogAppHeaders(
  headers: readonly SipHeader[],
  local: LocalAddress,
): SipHeader[] {
  return withoutHeaders(filterAppHeaders(headers, local), ['from', 'to', 'call-id', 'cseq']);
}
