// SIP message model and a tolerant parser for datagrams from the network: folded lines, compact
// header names, case-insensitive names, several values per header line, body by Content-Length.

export interface SipHeader {
  /** The name as it appeared on the wire (or as the stand-in wrote it). */
  name: string;
  value: string;
}

interface SipBase {
  headers: SipHeader[];
  body: string;
  /** The message text as received (requests: top Via already rewritten, see `setTopVia`). */
  raw: string;
}

export interface SipRequest extends SipBase {
  kind: 'request';
  method: string;
  uri: string;
  /** From the request line when parsed from the network (`2.0`); sofia answers others 505. */
  version?: string;
}

export interface SipResponse extends SipBase {
  kind: 'response';
  status: number;
  reason: string;
}

export type SipMessage = SipRequest | SipResponse;

/**
 * A failure keeps what could be read of a request whose request line parsed (`request`): sofia
 * answers such a request 400 when it has a Via, where it drops what has no request line at all.
 */
export type ParseResult =
  | { ok: true; message: SipMessage }
  | { ok: false; error: string; request?: SipRequest };

const COMPACT: Readonly<Record<string, string>> = {
  i: 'call-id',
  m: 'contact',
  f: 'from',
  t: 'to',
  v: 'via',
  l: 'content-length',
  c: 'content-type',
  e: 'content-encoding',
  k: 'supported',
  s: 'subject',
  o: 'event',
  r: 'refer-to',
  b: 'referred-by',
  u: 'allow-events',
  x: 'session-expires',
  a: 'accept-contact',
  j: 'reject-contact',
  d: 'request-disposition',
  y: 'identity',
};

/** Lower-case long form of a header name, so `i`, `Call-ID` and `call-id` compare equal. */
export function canonicalKey(name: string): string {
  const lower = name.trim().toLowerCase();
  return COMPACT[lower] ?? lower;
}

// method is a token (RFC 3261 25.1); the version is checked later, as sofia does
const REQUEST_LINE = /^([A-Za-z0-9\-.!%*_+`'~]+) +(\S+) +SIP\/(\d+\.\d+)\s*$/;
const STATUS_LINE = /^SIP\/2\.0 +(\d{3})(?: +(.*))?$/;

export function parseSip(data: Buffer): ParseResult {
  const sep = findHeaderEnd(data);
  const headEnd = sep?.index ?? data.length;
  const head = data.subarray(0, headEnd).toString('utf8');
  const lines = unfold(head.split(/\r?\n/));
  const first = lines.shift() ?? '';
  const headers: SipHeader[] = [];
  let error: string | undefined;
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) error ??= `bad header line: ${line.slice(0, 80)}`;
    else headers.push({ name: line.slice(0, colon).trim(), value: line.slice(colon + 1).trim() });
  }
  if (!sep) error ??= 'no end of headers';
  const bodyStart = sep ? sep.index + sep.length : data.length;
  const declared = headerValue(headers, 'content-length');
  const length = declared === undefined ? data.length - bodyStart : Number(declared);
  if (!Number.isInteger(length) || length < 0) error ??= 'bad Content-Length';
  else if (bodyStart + length > data.length) error ??= 'body shorter than Content-Length';
  const end = error ? data.length : bodyStart + length;
  const body = data.subarray(bodyStart, end).toString('utf8');
  const raw = data.subarray(0, end).toString('utf8');
  const result = startLine(first, headers, body, raw);
  if (!error) return result;
  const request = result.ok ? result.message : result.request;
  return request?.kind === 'request' ? { ok: false, error, request } : { ok: false, error };
}

function startLine(first: string, headers: SipHeader[], body: string, raw: string): ParseResult {
  const req = REQUEST_LINE.exec(first);
  if (req?.[1] && req[2] && req[3]) {
    const message: SipRequest = {
      kind: 'request',
      method: req[1],
      uri: req[2],
      version: req[3],
      headers,
      body,
      raw,
    };
    const checked = checkMandatory(message);
    return checked.ok ? checked : { ...checked, request: message };
  }
  const res = STATUS_LINE.exec(first);
  if (res?.[1]) {
    const message: SipResponse = {
      kind: 'response',
      status: Number(res[1]),
      reason: res[2] ?? '',
      headers,
      body,
      raw,
    };
    return checkMandatory(message);
  }
  return { ok: false, error: `bad start line: ${first.slice(0, 80)}` };
}

function checkMandatory(message: SipMessage): ParseResult {
  for (const name of ['via', 'from', 'to', 'call-id', 'cseq']) {
    if (headerValue(message.headers, name) === undefined)
      return { ok: false, error: `missing ${name}` };
  }
  return { ok: true, message };
}

function findHeaderEnd(data: Buffer): { index: number; length: number } | undefined {
  const crlf = data.indexOf('\r\n\r\n');
  const lf = data.indexOf('\n\n');
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return { index: crlf, length: 4 };
  if (lf >= 0) return { index: lf, length: 2 };
  return undefined;
}

function unfold(lines: string[]): string[] {
  const out: string[] = [];
  for (const line of lines) {
    if (/^[ \t]/.test(line) && out.length > 0) out[out.length - 1] += ` ${line.trim()}`;
    else if (line.length > 0) out.push(line);
  }
  return out;
}

/** First value of a header (first line; not split on commas). */
export function headerValue(headers: readonly SipHeader[], name: string): string | undefined {
  const key = canonicalKey(name);
  return headers.find((h) => canonicalKey(h.name) === key)?.value;
}

/** Every value of a header across lines, comma-separated values split apart. */
export function headerValues(headers: readonly SipHeader[], name: string): string[] {
  const key = canonicalKey(name);
  return headers.filter((h) => canonicalKey(h.name) === key).flatMap((h) => splitCommas(h.value));
}

export function hasHeader(headers: readonly SipHeader[], name: string): boolean {
  return headerValue(headers, name) !== undefined;
}

/** Splits on commas outside quotes and angle brackets. */
export function splitCommas(value: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let current = '';
  for (const ch of value) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch === '<') depth++;
    else if (!quoted && ch === '>') depth--;
    if (ch === ',' && !quoted && depth === 0) {
      parts.push(current.trim());
      current = '';
    } else current += ch;
  }
  if (current.trim()) parts.push(current.trim());
  return parts;
}

export interface CSeq {
  seq: number;
  method: string;
}

export function cseqOf(message: SipMessage): CSeq {
  const [seq, method] = (headerValue(message.headers, 'cseq') ?? '').trim().split(/\s+/);
  return { seq: Number(seq), method: (method ?? '').toUpperCase() };
}

export function callIdOf(message: SipMessage): string {
  return headerValue(message.headers, 'call-id') ?? '';
}

export function firstLine(message: SipMessage): string {
  return message.kind === 'request'
    ? `${message.method} ${message.uri} SIP/2.0`
    : `SIP/2.0 ${message.status} ${message.reason}`;
}
