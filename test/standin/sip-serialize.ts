// Writing SIP the way sofia-sip does for messages the server builds: canonical header names and
// sofia's fixed header order (the field order of its `sip_t`), then unknown headers, then the
// "extra" headers such as P-Asserted-Identity, and Content-Length computed from the body.
import { canonicalKey, type SipHeader } from './sip-message.js';

/** Well-known headers in sofia's serialisation order, with the names sofia prints. */
// biome-ignore format: one table
const ORDERED: readonly string[] = [
  'Via', 'Route', 'Record-Route', 'Max-Forwards', 'Proxy-Require', 'From', 'To', 'Call-ID', 'CSeq',
  'Identity', 'Contact', 'RSeq', 'RAck', 'Request-Disposition', 'Accept-Contact', 'Reject-Contact',
  'Expires', 'Date', 'Retry-After', 'Timestamp', 'Min-Expires', 'Subject', 'Priority', 'Call-Info',
  'Organization', 'Server', 'User-Agent', 'In-Reply-To', 'Accept', 'Accept-Encoding',
  'Accept-Language', 'Allow', 'Require', 'Supported', 'Unsupported', 'Event', 'Allow-Events',
  'Subscription-State', 'Proxy-Authenticate', 'Proxy-Authentication-Info', 'Proxy-Authorization',
  'Authorization', 'WWW-Authenticate', 'Authentication-Info', 'Error-Info', 'Warning', 'Refer-To',
  'Referred-By', 'Replaces', 'Session-Expires', 'Min-SE', 'Path', 'Service-Route', 'Reason',
  'Security-Client', 'Security-Server', 'Security-Verify', 'Privacy', 'SIP-ETag', 'SIP-If-Match',
  'MIME-Version', 'Content-Type', 'Content-Encoding', 'Content-Language', 'Content-Disposition',
  'Content-Length',
];

/** sofia keeps these in extension slots that are written after unknown headers. */
// biome-ignore format: one table
const EXTRA: readonly string[] = [
  'Alert-Info', 'Reply-To', 'Remote-Party-ID', 'P-Asserted-Identity', 'P-Preferred-Identity',
  'Refer-Sub', 'Error',
];

const RANK = new Map<string, number>();
const DISPLAY = new Map<string, string>();
ORDERED.forEach((name, i) => {
  RANK.set(name.toLowerCase(), i);
  DISPLAY.set(name.toLowerCase(), name);
});
const UNKNOWN_RANK = ORDERED.length;
EXTRA.forEach((name, i) => {
  RANK.set(name.toLowerCase(), UNKNOWN_RANK + 1 + i);
  DISPLAY.set(name.toLowerCase(), name);
});

/** The name sofia prints for a header it knows by its full name, else undefined. */
export function knownName(name: string): string | undefined {
  return DISPLAY.get(name.trim().toLowerCase());
}

function rank(name: string): number {
  return RANK.get(canonicalKey(name)) ?? UNKNOWN_RANK;
}

/** Stable sort into sofia's order. */
export function sortHeaders(headers: readonly SipHeader[]): SipHeader[] {
  return headers
    .map((h, i) => ({ h, i }))
    .sort((a, b) => rank(a.h.name) - rank(b.h.name) || a.i - b.i)
    .map(({ h }) => h);
}

/** Builds message text: sorted headers, Content-Length from the body's UTF-8 byte length. */
export function buildMessage(start: string, headers: readonly SipHeader[], body = ''): string {
  const withLength = headers
    .filter((h) => canonicalKey(h.name) !== 'content-length')
    .concat({ name: 'Content-Length', value: String(Buffer.byteLength(body, 'utf8')) });
  const lines = sortHeaders(withLength).map((h) => `${h.name}: ${h.value}`);
  return `${start}\r\n${lines.join('\r\n')}\r\n\r\n${body}`;
}
