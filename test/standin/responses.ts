// Responses built from a stored request, as sofia's nta does: Via, From, To (with tag on anything
// above 100), Call-ID and CSeq copied; Record-Route copied on 101-299.
import { parseNameAddr } from './sip-address.js';
import { canonicalKey, headerValue, type SipHeader, type SipRequest } from './sip-message.js';
import { buildMessage } from './sip-serialize.js';

/** sofia's reason phrases for the statuses the stack sends by itself. */
export const REASONS: Readonly<Record<number, string>> = {
  100: 'Trying',
  200: 'OK',
  400: 'Bad Request',
  408: 'Request Timeout',
  422: 'Session Interval Too Small',
  481: 'Call/Transaction Does Not Exist',
  487: 'Request Terminated',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
  505: 'Version Not Supported',
};

export interface ResponseParts {
  status: number;
  reason?: string;
  /** Tag for To when the request's To has none; omitted on 100. */
  toTag?: string;
  /** Headers after the dialog-level ones (Contact, app headers, Content-Type, …). */
  headers?: SipHeader[];
  body?: string;
}

export function buildResponse(request: SipRequest, parts: ResponseParts): string {
  const copied: SipHeader[] = [];
  for (const h of request.headers) {
    const key = canonicalKey(h.name);
    if (key === 'via') copied.push({ name: 'Via', value: h.value });
    if (key === 'record-route' && parts.status > 100 && parts.status < 300) {
      copied.push({ name: 'Record-Route', value: h.value });
    }
  }
  copied.push(
    { name: 'From', value: headerValue(request.headers, 'from') ?? '' },
    { name: 'To', value: toWithTag(request, parts) },
    { name: 'Call-ID', value: headerValue(request.headers, 'call-id') ?? '' },
    { name: 'CSeq', value: headerValue(request.headers, 'cseq') ?? '' },
  );
  const reason = parts.reason ?? REASONS[parts.status] ?? '';
  return buildMessage(
    `SIP/2.0 ${parts.status} ${reason}`,
    [...copied, ...(parts.headers ?? [])],
    parts.body,
  );
}

function toWithTag(request: SipRequest, parts: ResponseParts): string {
  const to = headerValue(request.headers, 'to') ?? '';
  if (parts.status <= 100 || !parts.toTag || /;\s*tag=/i.test(parseNameAddr(to).params)) return to;
  return `${to};tag=${parts.toTag}`;
}
