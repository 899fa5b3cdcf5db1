// What sofia-sip's nta (agent_recv_request) and drachtio-server's processMessageStatelessly do
// with a request that is malformed: a request whose request line parses but whose headers do not
// (or that fails sip_sanity_check: From, To, Call-ID, CSeq and Via present, CSeq method equal to
// the request method, a SIP URI with a host) gets `400` if it has a Via and is not an ACK, and is
// dropped otherwise. nta answers a header of its error mask it cannot parse (CHECKERS) with
// "400 Bad <Name> Header", naming the first bad header of any kind; a bad header outside the mask
// passes nta, and drachtio-server answers a request outside any dialog that has one "400 Bad
// Request" (DRACHTIO_CHECKERS, processMessageStatelessly's sip_error check; seen from v0.9.10).
// A version other than SIP/2.0 gets `505`; a top Via naming another transport than the one it
// came on is dropped. Garbage without a request or status line is dropped.
// A reply is `checked` when sofia ran agent_check_request_via on the top Via and it passed (its
// protocol is SIP/2.0 over the transport the request came on): only then does the Via get
// `received` and the forced `rport`, and the reply goes back where the request came from. The
// 505 is sent before that check, and a Via of another protocol fails it: those replies go to the
// Via's sent-by as written.
import { getParam, parseUri, parseVia } from './sip-address.js';
import {
  canonicalKey,
  headerValue,
  parseSip,
  type SipHeader,
  type SipRequest,
  type SipResponse,
  splitCommas,
} from './sip-message.js';

export type Verdict =
  | { action: 'pass' }
  | { action: 'drop' }
  | { action: 'reply'; status: 400 | 505; checked: boolean; reason?: string };

/** sent-protocol (any version: a wrong one is answered 505 later), sent-by, `;name[=value]`s. */
const VIA =
  /^SIP\s*\/\s*\d+\.\d+\s*\/\s*(?<transport>[A-Za-z]+)\s+(?<host>\[[^\]]+\]|[^:;\s]+)(?:\s*:\s*(?<port>\d+))?(?<params>(?:\s*;\s*[^;=\s]+(?:\s*=\s*[^;\s]+)?)*)$/;
/** An RFC 3261 token, as sofia's span_token reads it. */
const T = "[A-Za-z0-9\\-.!%*_+`'~]+";
const TOKEN = new RegExp(`^${T}$`);
/** msg_commalist_d with msg_token_scan (sip_require_d): tokens, empty entries allowed. */
const TOKEN_LIST = new RegExp(`^(?:${T})?\\s*(?:,\\s*(?:${T})?\\s*)*$`);
/** msg_content_type_d: token "/" token, then `;` parameters (token or quoted values). */
const MEDIA_TYPE = new RegExp(
  `^${T}\\s*/\\s*${T}\\s*(?:;\\s*${T}(?:\\s*=\\s*(?:${T}|"(?:[^"\\\\]|\\\\.)*"|\\[[^\\]]*\\]))?\\s*)*$`,
);
/** A token with `;` parameters (token, or token=token / quoted string / [IPv6]). */
const PARAMS = `(?:\\s*;\\s*${T}(?:\\s*=\\s*(?:${T}|"(?:[^"\\\\]|\\\\.)*"|\\[[^\\]]*\\]))?)*`;
const TOKEN_PARAMS = new RegExp(`^${T}${PARAMS}\\s*$`);
/** delta-seconds with parameters (Session-Expires, Min-SE). */
const DELTA_PARAMS = new RegExp(`^\\d{1,10}${PARAMS}\\s*$`);
const digits = (v: string) => /^\d{1,10}$/.test(v) && Number(v) < 2 ** 32;
/** A comma list of name-addrs, each as sofia's address parser needs it. */
const nameAddrList = (v: string) => splitCommas(v).every(nameAddrOk);

/**
 * Headers in nta's default request error mask (sip_bad_mask: what is left once the proxy,
 * registrar, caller-preference and privacy classes are taken out) by the name its 400 gives:
 * a value sofia cannot parse becomes an error header (sip_error) and nta answers
 * "400 Bad <Name> Header" itself. Each row's bad shapes were tried on v0.9.10.
 */
const CHECKERS: Readonly<Record<string, readonly [string, (value: string) => boolean]>> = {
  require: ['Require', (v) => TOKEN_LIST.test(v)],
  'content-type': ['Content-Type', (v) => MEDIA_TYPE.test(v)],
  'call-id': ['Call-ID', (v) => /^\S+$/.test(v)],
  cseq: [
    'CSeq',
    (v) => {
      const m = /^(\d{1,10})\s+(\S+)$/.exec(v);
      return m !== null && Number(m[1]) < 2 ** 32 && TOKEN.test(m[2] ?? '');
    },
  ],
  'content-length': ['Content-Length', digits],
  expires: ['Expires', (v) => /^\d{1,10}$/.test(v) || /^[A-Za-z]{3},/.test(v)],
  via: ['Via', viaOk],
  from: ['From', nameAddrOk],
  to: ['To', nameAddrOk],
  contact: ['Contact', (v) => v.trim() === '*' || nameAddrOk(v)],
  'content-disposition': ['Content-Disposition', (v) => TOKEN_PARAMS.test(v)],
  'record-route': ['Record-Route', nameAddrList],
  rack: ['RAck', (v) => new RegExp(`^\\d{1,10}\\s+\\d{1,10}\\s+${T}$`).test(v)],
  rseq: ['RSeq', digits],
  event: ['Event', (v) => TOKEN_PARAMS.test(v)],
  'subscription-state': ['Subscription-State', (v) => TOKEN_PARAMS.test(v)],
  'session-expires': ['Session-Expires', (v) => DELTA_PARAMS.test(v)],
  'min-se': ['Min-SE', (v) => DELTA_PARAMS.test(v)],
  'sip-etag': ['SIP-ETag', (v) => TOKEN.test(v)],
};

/**
 * Headers sofia parses outside nta's error mask: a bad one passes nta, and drachtio-server
 * answers a new request (outside any dialog) that has one "400 Bad Request" itself
 * (controller.cpp processMessageStatelessly, `sip->sip_error`). Each row's bad shapes were tried
 * on v0.9.10; History-Info and Diversion are not sofia's headers and pass whatever they hold.
 */
const DRACHTIO_CHECKERS: Readonly<Record<string, readonly [string, (value: string) => boolean]>> = {
  'max-forwards': ['Max-Forwards', digits],
  route: ['Route', nameAddrList],
  privacy: ['Privacy', (v) => new RegExp(`^${T}(?:\\s*;\\s*${T})*\\s*$`).test(v)],
  supported: ['Supported', (v) => TOKEN_LIST.test(v)],
  'proxy-require': ['Proxy-Require', (v) => TOKEN_LIST.test(v)],
  allow: ['Allow', (v) => TOKEN_LIST.test(v)],
  accept: ['Accept', (v) => splitCommas(v).every((one) => MEDIA_TYPE.test(one))],
  'refer-to': ['Refer-To', nameAddrOk],
  reason: ['Reason', (v) => splitCommas(v).every((one) => TOKEN_PARAMS.test(one))],
  'p-asserted-identity': ['P-Asserted-Identity', nameAddrList],
  replaces: ['Replaces', (v) => new RegExp(`^[^\\s;"<>]+${PARAMS}\\s*$`).test(v)],
};

function viaOk(value: string): boolean {
  return value.split(',').every((one) => VIA.test(one.trim()));
}

/** The top Via's protocol is SIP/2.0 over `transport`: agent_check_request_via passes. */
function viaChecked(req: SipRequest, transport: string): boolean {
  const top = splitTop(headerValue(req.headers, 'via'));
  return parseVia(top)?.transport === transport.toUpperCase();
}

function splitTop(via: string | undefined): string {
  return (via ?? '').split(',')[0]?.trim() ?? '';
}

/**
 * Where a reply to an unchecked Via goes (RFC 3261 18.2.2, RFC 3581): its `received` or host, its
 * `rport` value or port (5060 if none), over its own transport.
 */
export function sentBy(
  req: SipRequest,
): { transport: string; host: string; port: number } | undefined {
  const via = VIA.exec(splitTop(headerValue(req.headers, 'via')))?.groups;
  if (!via?.transport || !via.host) return undefined;
  const params = via.params ?? '';
  const rport = Number(getParam(params, 'rport'));
  return {
    transport: via.transport.toUpperCase(),
    host: (getParam(params, 'received') ?? via.host).replace(/^\[(.*)\]$/, '$1'),
    port: Number.isInteger(rport) && rport > 0 ? rport : via.port ? Number(via.port) : 5060,
  };
}

/** sofia has a Via to answer to when a Via line parsed (a bad one becomes an error header). */
function hasUsableVia(req: SipRequest): boolean {
  return req.headers.some((h) => canonicalKey(h.name) === 'via' && viaOk(h.value));
}

/** `;name=` with nothing after it: msg_avlist_d's parse error (`if (s == v) goto error`). */
const EMPTY_PARAM = /;\s*[^;=\s]+\s*=\s*(?=;|$)/;

/**
 * `<uri>` or a bare URI, with balanced quotes and brackets and no empty parameter value: what
 * sofia's address parser needs (`To: <sip:…>;tag=` does not parse; seen with v0.9.10).
 */
function nameAddrOk(value: string): boolean {
  const unquoted = value.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  // a quote left over after removing the quoted strings has no partner
  if (unquoted.replace(/""/g, '').includes('"')) return false;
  const open = unquoted.indexOf('<');
  if (open >= 0) {
    const close = unquoted.indexOf('>', open);
    if (close < 0) return false;
    const name = unquoted.slice(0, open).trim();
    if (name && name !== '""' && !/^[A-Za-z0-9\-.!%*_+`'~ \t]+$/.test(name)) return false;
    if (EMPTY_PARAM.test(unquoted.slice(close + 1))) return false;
    return /^[A-Za-z][A-Za-z0-9+.-]*:\S+$/.test(unquoted.slice(open + 1, close));
  }
  const [uri = '', ...params] = unquoted.split(';');
  if (EMPTY_PARAM.test(params.map((p) => `;${p}`).join(''))) return false;
  return /^[A-Za-z][A-Za-z0-9+.-]*:[^\s,?]+$/.test(uri.trim());
}

/** What a response needs (sip_sanity_check) and must parse (nta's response error mask). */
const RESPONSE_CORE = ['via', 'from', 'to', 'call-id', 'cseq'] as const;

/** The first of them missing or bad: sofia drops such a response (nta.c agent_recv_response). */
function badResponseHeader(res: SipResponse): string | undefined {
  for (const key of RESPONSE_CORE) {
    const value = headerValue(res.headers, key);
    const [name, ok] = CHECKERS[key] ?? [key, () => true];
    if (value === undefined || !ok(value.trim())) return name;
  }
  return undefined;
}

/**
 * The headers sofia's parsers refuse: the first of them by name (in message order, of either
 * table: nta's 400 names it), and whether one is in nta's error mask.
 */
function badHeaders(headers: readonly SipHeader[]): { first?: string; masked: boolean } {
  let first: string | undefined;
  for (const h of headers) {
    const key = canonicalKey(h.name);
    const masked = CHECKERS[key];
    const row = masked ?? DRACHTIO_CHECKERS[key];
    if (!row || row[1](h.value.trim())) continue;
    first ??= row[0];
    if (masked) return { first, masked: true };
  }
  return first ? { first, masked: false } : { masked: false };
}

/**
 * drachtio-server's "400 Bad Request" to a new request outside any dialog with a header sofia
 * could not parse; a request inside a dialog goes on to the app as it is.
 */
export function refusedByDrachtio(req: SipRequest): boolean {
  return badHeaders(req.headers).first !== undefined;
}

export function sanityCheck(req: SipRequest, version: string, transport: string): Verdict {
  const cseq = headerValue(req.headers, 'cseq') ?? '';
  const uri = parseUri(req.uri);
  const bad = badHeaders(req.headers);
  const insane =
    bad.masked ||
    !/^[A-Za-z][A-Za-z0-9+.-]*:\S+$/.test(req.uri) ||
    (/^sips?:/i.test(req.uri) && !uri?.host) ||
    /[<>"\s]/.test(req.uri) ||
    cseq.trim().split(/\s+/)[1] !== req.method;
  const via = headerValue(req.headers, 'via');
  if (insane)
    return hasUsableVia(req) && req.method !== 'ACK'
      ? reply(400, viaChecked(req, transport), bad.first && `Bad ${bad.first} Header`)
      : { action: 'drop' };
  if (version !== '2.0') return reply(505, false);
  const top = via ? parseVia(via.split(',')[0] ?? '') : undefined;
  if (!top || top.transport !== transport) return { action: 'drop' };
  return { action: 'pass' };
}

function reply(status: 400 | 505, checked: boolean, reason?: string): Verdict {
  return reason
    ? { action: 'reply', status, checked, reason }
    : { action: 'reply', status, checked };
}

/**
 * What sofia does to a TCP connection after such a message: `fin` (a reply or a drop of a bad
 * request: nta.c agent_recv_request sends it with TPTAG_SDWN_AFTER(stream), or calls
 * tport_shutdown(tport, 1)), `stall` (a message without a request or status line: MSG_FLG_ERROR,
 * tport.c tport_parse stops reading the connection and sends nothing).
 */
export type StreamAfter = 'fin' | 'stall';

export type Triage =
  | { action: 'drop'; why: string; after?: StreamAfter }
  | { action: 'reply'; status: 400 | 505; checked: boolean; reason?: string; request: SipRequest }
  | { action: 'request'; request: SipRequest }
  | { action: 'response'; response: SipResponse };

/**
 * drachtio-server runs sofia with TPORT_LOG=1 (controller.cpp DrachtioController::run), and
 * tport_logging.c tport_log_msg marks every received message MSG_FLG_TRUNC whose log it cuts
 * short: a line (between CR or LF) longer than MAX_LINELEN, 8192 bytes, or a NUL byte anywhere.
 * sip_sanity_check then fails it: a request gets `400 Bad Request`, a response is dropped. Over
 * UDP and TCP alike; a 16 kB SDP line or header value is refused (seen with v0.9.10).
 */
export function cutShortInLog(data: Buffer): boolean {
  if (data.includes(0)) return true;
  // no line can be longer than the message: most need no scan
  if (data.length <= 8192) return false;
  let run = 0;
  for (const byte of data) {
    run = byte === 13 || byte === 10 ? 0 : run + 1;
    if (run > 8192) return true;
  }
  return false;
}

/**
 * What the server does with one message from the network, before any transaction or dialog.
 * `framingBad`: sofia's stream parser flagged the message an error (tcp.ts: no Content-Length
 * with bytes after the headers, or a connection closed inside the message): a request is
 * answered as a malformed one.
 */
export function triage(data: Buffer, transport = 'UDP', framingBad = false): Triage {
  const parsed = parseSip(data);
  if (!parsed.ok || framingBad || cutShortInLog(data)) {
    const req = parsed.ok ? parsed.message : parsed.request;
    const why = parsed.ok
      ? 'a message sofia flagged (framing, or its log cut short)'
      : parsed.error;
    if (req?.kind !== 'request') {
      // no start line sofia could read, or a stream it flagged: it reads that connection no more
      const stalls = framingBad || (!parsed.ok && parsed.error.startsWith('bad start line'));
      return stalls ? { action: 'drop', why, after: 'stall' } : { action: 'drop', why };
    }
    if (hasUsableVia(req) && req.method !== 'ACK')
      return { action: 'reply', status: 400, checked: viaChecked(req, transport), request: req };
    return { action: 'drop', why, after: 'fin' };
  }
  const message = parsed.message;
  if (message.kind === 'response') {
    const bad = badResponseHeader(message);
    return bad
      ? { action: 'drop', why: `${message.status}: a missing or bad ${bad} header` }
      : { action: 'response', response: message };
  }
  const verdict = sanityCheck(message, message.version ?? '2.0', transport);
  if (verdict.action === 'reply') return { ...verdict, request: message };
  if (verdict.action === 'drop')
    return {
      action: 'drop',
      why: `${message.method}: no usable Via, an ACK, or another transport`,
      // an insane request without a Via to answer, or an ACK: FIN (a Via of another transport
      // fails agent_check_request_via later and is dropped alone)
      ...(!hasUsableVia(message) || message.method === 'ACK' ? { after: 'fin' as const } : {}),
    };
  return { action: 'request', request: message };
}
