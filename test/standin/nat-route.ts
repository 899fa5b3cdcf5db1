// drachtio-server's NAT detection (on unless --disable-nat-detection; production leaves it on): a
// dialog whose peer's Contact does not name the address the peer sent from gets that address as
// the next hop of every request inside it (SipDialog m_routeUri, the route_url of each
// nta_outgoing_tcreate; no Route header is written). The Contact stays the Request-URI. Seen
// with v0.9.10: a dealer answering with Contact `localhost` or `pbx.invalid` from 127.0.0.1:P gets
// its ACK, OPTIONS and BYE at 127.0.0.1:P, and no DNS query is made.
import { type Endpoint, parseNameAddr, parseUri } from './sip-address.js';
import { headerValue, headerValues, type SipRequest } from './sip-message.js';

/**
 * drachtio's isRfc1918 (drachtio.cpp): dotted decimal 10.x, 192.168.x and, as its test reads
 * (`vec[1] > 15 || vec[1] < 32`, always true), every 172.x.
 */
export function drachtioCallsPrivate(host: string): boolean {
  const parts = host.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d+$/.test(p))) return false;
  const [a, b] = parts.map(Number);
  return a === 10 || a === 172 || (a === 192 && b === 168);
}

const hostOf = (nameAddrOrUri: string): string | undefined =>
  parseUri(parseNameAddr(nameAddrOrUri).uri)?.host;

/** The peer's source, over the transport the answer came on (TCP kept: a closed one reconnects). */
const routeTo = (source: Endpoint): Endpoint =>
  source.transport === 'tcp'
    ? { address: source.address, port: source.port, transport: 'tcp' }
    : { address: source.address, port: source.port };

/**
 * Our INVITE's 2xx (processResponseOutsideDialog): NAT when the first hop of the route set is a
 * "private" address, or when there is no route set and the Contact's host (the string, the port
 * not compared) is not the address the answer came from.
 */
export function uacNatRoute(
  routeSet: readonly string[],
  contact: string | undefined,
  source: Endpoint,
): Endpoint | undefined {
  const first = routeSet[0];
  const nat =
    first !== undefined
      ? drachtioCallsPrivate(hostOf(first) ?? '')
      : contact !== undefined && hostOf(contact) !== source.address;
  return nat ? routeTo(source) : undefined;
}

/**
 * An INVITE we answer (SipDialog's constructor): over UDP only, without Record-Route, when the
 * Contact's host, or a port it names, is not where the INVITE came from.
 */
export function uasNatRoute(
  contact: string | undefined,
  recordRouted: boolean,
  source: Endpoint,
): Endpoint | undefined {
  if (source.transport === 'tcp' || recordRouted || contact === undefined) return undefined;
  const uri = parseUri(parseNameAddr(contact).uri);
  if (!uri) return undefined;
  const moved = uri.host !== source.address || (uri.port !== undefined && uri.port !== source.port);
  return moved ? routeTo(source) : undefined;
}

/**
 * The first answer to an INVITE makes drachtio's SipDialog, whose UDP check above compares the
 * source address with the Contact's host: for a Contact without one (`*`, `tel:…`) a null
 * pointer, and v0.9.10 dies of it whatever the answer (sip-dialog.cpp; seen on the binary).
 */
export function natCheckCrashes(req: SipRequest, source: Endpoint): boolean {
  const contact = headerValue(req.headers, 'contact');
  if (source.transport === 'tcp' || contact === undefined) return false;
  if (headerValues(req.headers, 'record-route').length > 0) return false;
  return contact.trim() === '*' || !parseUri(parseNameAddr(contact).uri)?.host;
}
