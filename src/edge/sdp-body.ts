/**
 * SDP out of a SIP message's body (RFC 3261 8.2.3, RFC 5621). SDP is taken as it is. A
 * multipart/mixed body is what SIP-I interconnects send (RFC 3204: the ISUP message beside the
 * SDP), as requests and as responses: its SDP part is the session description, and whoever the
 * gateway passes it on to (the other leg, the media server) gets that part alone, as
 * application/sdp. Pure.
 */

/** What the gateway reads, for the Accept header of its 415 and of its OPTIONS answer. */
export const ACCEPTED_BODIES = 'application/sdp, multipart/mixed';

export type RequestOffer =
  /** `sdp` undefined: no body (a late offer), or a multipart body without an SDP part. */
  | { readonly kind: 'offer'; readonly sdp: string | undefined }
  | { readonly kind: 'unsupported'; readonly why: string };

/**
 * The offer of a request (an INVITE, re-INVITE or UPDATE). A part the gateway cannot read that
 * the sender marks required (or leaves unmarked: RFC 3261 20.11 makes that required), and any
 * other body type, cannot be honoured: the request gets 415 with Accept.
 */
export function requestOffer(
  contentType: string | undefined,
  body: string | undefined,
): RequestOffer {
  if (!body) return { kind: 'offer', sdp: undefined };
  // the header as nearly every INVITE spells it is taken without taking it apart
  if (contentType === 'application/sdp') return { kind: 'offer', sdp: body };
  // RFC 3261 requires the header with a body; without one the body is told by its shape
  if (contentType === undefined) return { kind: 'offer', sdp: untypedSdp(body) };
  const type = mediaType(contentType);
  if (type === 'application/sdp') return { kind: 'offer', sdp: body };
  if (type !== 'multipart/mixed') return { kind: 'unsupported', why: `a body of type ${type}` };
  const parts = multipartOf(contentType, body);
  if (!parts) return { kind: 'unsupported', why: 'a multipart body without readable parts' };
  for (const part of parts) {
    const partType = mediaType(part.contentType);
    if (partType !== 'application/sdp' && handling(part.disposition) === 'required')
      return { kind: 'unsupported', why: `a required part of type ${partType}` };
  }
  return { kind: 'offer', sdp: sdpPart(parts) };
}

/**
 * The SDP of a response (a dealer's 18x or 200): the body when it is SDP, the SDP part of a
 * multipart one, else none. A response cannot be refused: whatever else it carries is dropped.
 */
export function responseSdp(
  contentType: string | undefined,
  body: string | undefined,
): string | undefined {
  if (!body) return undefined;
  if (contentType === undefined) return untypedSdp(body);
  const type = mediaType(contentType);
  if (type === 'application/sdp') return body;
  if (type !== 'multipart/mixed') return undefined;
  const parts = multipartOf(contentType, body);
  return parts && sdpPart(parts);
}

/**
 * The SDP of a body whose headers drachtio-srf does not hand over (the 200 to our offerless
 * INVITE, the answer to a relayed re-INVITE): SDP begins with its `v=` line (RFC 8866 5.1); a
 * multipart body with a delimiter line (RFC 2046 5.1.1, when it has no preamble), which names its
 * boundary. Anything else goes on as it came.
 */
export function untypedSdp(body: string): string {
  if (body.startsWith('v=')) return body;
  const delimiter = /^--([^\r\n]+?)[ \t]*\r?\n/.exec(body);
  const parts = delimiter ? bodyParts(body, delimiter[1] ?? '') : undefined;
  return (parts && sdpPart(parts)) ?? body;
}

function sdpPart(parts: readonly BodyPart[]): string | undefined {
  return parts.find((p) => mediaType(p.contentType) === 'application/sdp')?.content || undefined;
}

/** The parts of a multipart body, by the boundary its Content-Type names. */
function multipartOf(contentType: string, body: string): BodyPart[] | undefined {
  const boundary = /;\s*boundary\s*=\s*(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return boundary ? bodyParts(body, boundary[1] ?? boundary[2] ?? '') : undefined;
}

/** `type/subtype`, lower case, parameters and the white space sofia allows around `/` dropped. */
function mediaType(header: string): string {
  return (header.split(';')[0] ?? '').replace(/\s+/g, '').toLowerCase();
}

/** RFC 3261 20.11: a part without a handling parameter is to be taken as required. */
function handling(disposition: string | undefined): 'optional' | 'required' {
  return /;\s*handling\s*=\s*"?optional"?\s*(?:;|$)/i.test(disposition ?? '')
    ? 'optional'
    : 'required';
}

/** A part without Content-Type is text/plain (RFC 2046 5.1). */
type BodyPart = { contentType: string; disposition?: string; content: string };

/**
 * RFC 2046 5.1.1: parts between `--boundary` lines, each its headers, an empty line and its
 * content; the CRLF before a delimiter belongs to the delimiter. Undefined when no part closes.
 */
function bodyParts(body: string, boundary: string): BodyPart[] | undefined {
  if (boundary === '') return undefined;
  const delimiter = `--${boundary}`;
  const closing = `${delimiter}--`;
  const parts: BodyPart[] = [];
  let current: string[] | undefined;
  for (const line of body.split(/\r?\n/)) {
    // transport padding (spaces after a delimiter) is allowed and ignored
    const trimmed = line.trimEnd();
    if (trimmed !== delimiter && trimmed !== closing) {
      current?.push(line);
      continue;
    }
    if (current) parts.push(bodyPart(current));
    if (trimmed === closing) return parts;
    current = [];
  }
  return undefined;
}

function bodyPart(lines: string[]): BodyPart {
  const blank = lines.indexOf('');
  const head = blank === -1 ? lines : lines.slice(0, blank);
  // every SDP line ends in CRLF (RFC 8866 5); the last one's went with the delimiter
  const content = blank === -1 ? '' : lines.slice(blank + 1).join('\r\n');
  const part: BodyPart = {
    contentType: 'text/plain',
    content: content && !content.endsWith('\n') ? `${content}\r\n` : content,
  };
  for (const line of head) {
    const colon = line.indexOf(':');
    if (colon === -1) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'content-type') part.contentType = value;
    else if (name === 'content-disposition') part.disposition = value;
  }
  return part;
}
