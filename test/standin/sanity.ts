// What sofia-sip's nta (agent_recv_request) and drachtio-server's processMessageStatelessly do
// with a request that is malformed: a request whose request line parses but whose headers do not
// (or that fails sip_sanity_check: From, To, Call-ID, CSeq and Via present, CSeq method equal to
// the request method, a SIP URI with a host) gets `400` if it has a Via and is not an ACK, and is
// dropped otherwise; a version other than SIP/2.0 gets `505`; a top Via naming another transport
// than the one it came on is dropped. Garbage without a request or status line is dropped.
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
} from './sip-message.js';

export type Verdict =
  | { action: 'pass' }
  | { action: 'drop' }
  | { action: 'reply'; status: 400 | 505; checked: boolean };

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
/**
 * Headers sofia parses itself whose parse error nta answers with 400 (sip_bad_mask: its default
 * request mask leaves the headers of UAs, 100rel, timer, events and publish); a value it cannot
 * parse becomes an error header (sip_error).
 */
const CHECKERS: Readonly<Record<string, (value: string) => boolean>> = {
  require: (v) => TOKEN_LIST.test(v),
  'content-type': (v) => MEDIA_TYPE.test(v),
  'call-id': (v) => /^\S+$/.test(v),
  cseq: (v) => {
    const m = /^(\d{1,10})\s+(\S+)$/.exec(v);
    return m !== null && Number(m[1]) < 2 ** 32 && TOKEN.test(m[2] ?? '');
  },
  'max-forwards': (v) => /^\d{1,10}$/.test(v) && Number(v) < 2 ** 32,
  'content-length': (v) => /^\d{1,10}$/.test(v) && Number(v) < 2 ** 32,
  expires: (v) => /^\d{1,10}$/.test(v) || /^[A-Za-z]{3},/.test(v),
  via: viaOk,
  from: nameAddrOk,
  to: nameAddrOk,
  contact: (v) => v.trim() === '*' || nameAddrOk(v),
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

/** `<uri>` or a bare URI, with balanced quotes and brackets: what sofia's address parser needs. */
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
    return /^[A-Za-z][A-Za-z0-9+.-]*:\S+$/.test(unquoted.slice(open + 1, close));
  }
  const uri = unquoted.split(';')[0]?.trim() ?? '';
  return /^[A-Za-z][A-Za-z0-9+.-]*:[^\s,?]+$/.test(uri);
}

function badHeader(headers: readonly SipHeader[]): string | undefined {
  for (const h of headers) {
    const check = CHECKERS[canonicalKey(h.name)];
    if (check && !check(h.value.trim())) return h.name;
  }
  return undefined;
}

export function sanityCheck(req: SipRequest, version: string, transport: string): Verdict {
  const cseq = headerValue(req.headers, 'cseq') ?? '';
  const uri = parseUri(req.uri);
  const insane =
    badHeader(req.headers) !== undefined ||
    !/^[A-Za-z][A-Za-z0-9+.-]*:\S+$/.test(req.uri) ||
    (/^sips?:/i.test(req.uri) && !uri?.host) ||
    /[<>"\s]/.test(req.uri) ||
    cseq.trim().split(/\s+/)[1] !== req.method;
  const via = headerValue(req.headers, 'via');
  if (insane)
    return hasUsableVia(req) && req.method !== 'ACK'
      ? reply(400, viaChecked(req, transport))
      : { action: 'drop' };
  if (version !== '2.0') return reply(505, false);
  const top = via ? parseVia(via.split(',')[0] ?? '') : undefined;
  if (!top || top.transport !== transport) return { action: 'drop' };
  return { action: 'pass' };
}

function reply(status: 400 | 505, checked: boolean): Verdict {
  return { action: 'reply', status, checked };
}

/** What the server does with one datagram from the network, before any transaction or dialog. */
export type Triage =
  | { action: 'drop'; why: string }
  | { action: 'reply'; status: 400 | 505; checked: boolean; request: SipRequest }
  | { action: 'request'; request: SipRequest }
  | { action: 'response'; response: SipResponse };

export function triage(data: Buffer, transport = 'UDP'): Triage {
  const parsed = parseSip(data);
  if (!parsed.ok) {
    const req = parsed.request;
    if (req && hasUsableVia(req) && req.method !== 'ACK')
      return { action: 'reply', status: 400, checked: viaChecked(req, transport), request: req };
    return { action: 'drop', why: parsed.error };
  }
  const message = parsed.message;
  if (message.kind === 'response') return { action: 'response', response: message };
  const verdict = sanityCheck(message, message.version ?? '2.0', transport);
  if (verdict.action === 'reply') return { ...verdict, request: message };
  if (verdict.action === 'drop')
    return {
      action: 'drop',
      why: `${message.method}: no usable Via, an ACK, or another transport`,
    };
  return { action: 'request', request: message };
}
