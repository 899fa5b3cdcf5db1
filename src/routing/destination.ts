/**
 * A destination as written in a dialplan (`+4930…` or a SIP URI), checked and turned into the form
 * the call path dials. SIP URIs are checked for shape (scheme, host, port), not resolved.
 */
import { isIP } from 'node:net';
import type { DestinationEntryDoc } from '../dialplan/types.js';
import { classify } from '../numbering/classify.js';
import { E164_PATTERN } from '../numbering/e164.js';
import { spellingAdvice } from '../numbering/normalise.js';
import { transportParam } from './sip-transport.js';

export type Destination =
  | { readonly type: 'e164'; readonly number: string; readonly ringTimeoutMs: number }
  | { readonly type: 'sip'; readonly uri: string; readonly ringTimeoutMs: number };

/** Simultaneous ring (`ringAll`): every member rings at once; the first answer wins. */
export type DestinationGroup = {
  readonly type: 'group';
  /** Each with the group's ring timeout. */
  readonly members: readonly Destination[];
  readonly ringTimeoutMs: number;
};

/** One step of a number's destination list: a destination alone, or a group rung at once. */
export type Route = Destination | DestinationGroup;

export type DestinationCheck = { ok: true; value: Destination } | { ok: false; reason: string };

/**
 * A `ringAll` group from its members, already parsed with the group's ring timeout. Plain frozen
 * data like a destination: decisions travel as JSON from the reload worker.
 */
export function destinationGroup(
  members: readonly Destination[],
  ringTimeoutSeconds: number,
): DestinationGroup {
  return Object.freeze({
    type: 'group',
    members: Object.freeze([...members]),
    ringTimeoutMs: ringTimeoutSeconds * 1000,
  });
}

/**
 * A checked destination list as routes, for lists the dialplan rules have reported on already
 * (a customer's closed action): an entry that does not parse, whole or in a member, is left out.
 */
export function parseRoutes(list: readonly DestinationEntryDoc[]): Route[] {
  const out: Route[] = [];
  for (const d of list) {
    if (!('ringAll' in d)) {
      const parsed = parseDestination(d.to, d.ringTimeout);
      if (parsed.ok) out.push(parsed.value);
      continue;
    }
    const members: Destination[] = [];
    for (const to of d.ringAll) {
      const parsed = parseDestination(to, d.ringTimeout);
      if (parsed.ok) members.push(parsed.value);
    }
    if (members.length === d.ringAll.length) out.push(destinationGroup(members, d.ringTimeout));
  }
  return out;
}

const HOST =
  /^(?:\[[0-9a-fA-F:.]+\]|[0-9]{1,3}(?:\.[0-9]{1,3}){3}|(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)*[a-zA-Z](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.?)$/;
const USER = /^(?:[a-zA-Z0-9\-_.!~*'()&=+$,;?/]|%[0-9a-fA-F]{2})+$/;
const PARAMS = /^(?:;[a-zA-Z0-9\-_.!~*'%]+(?:=[a-zA-Z0-9\-_.!~*'%[\]:/&+$]*)?)*$/;

export function parseDestination(to: string, ringTimeoutSeconds: number): DestinationCheck {
  const ringTimeoutMs = ringTimeoutSeconds * 1000;
  if (to.startsWith('+')) {
    if (!E164_PATTERN.test(to)) {
      const advice = spellingAdvice(to);
      return { ok: false, reason: `'${to}' is not an E.164 number${advice ? `: ${advice}` : ''}` };
    }
    if (classify(to).kind === 'invalid') {
      return { ok: false, reason: `'${to}' is not a valid number in its country's numbering plan` };
    }
    return { ok: true, value: Object.freeze({ type: 'e164', number: to, ringTimeoutMs }) };
  }
  const problem = sipUriProblem(to);
  if (problem) return { ok: false, reason: problem };
  return { ok: true, value: Object.freeze({ type: 'sip', uri: to, ringTimeoutMs }) };
}

function sipUriProblem(uri: string): string | undefined {
  const scheme = /^(sips?):/i.exec(uri);
  if (!scheme) return `'${uri}' is neither an E.164 number (+…) nor a sip:/sips: URI`;
  const rest = uri.slice(scheme[0].length);
  const at = rest.lastIndexOf('@');
  const user = at === -1 ? undefined : rest.slice(0, at);
  if (user !== undefined && !USER.test(user)) return `'${uri}' has an invalid user part`;
  const hostPart = at === -1 ? rest : rest.slice(at + 1);
  const query = hostPart.indexOf('?');
  // drachtio-server makes the To from the Request-URI, where `?` is not allowed: no leg is made
  if (query !== -1)
    return `'${uri}' carries URI headers ('${hostPart.slice(query)}'), which a destination cannot have`;
  const semi = hostPart.indexOf(';');
  const hostPort = semi === -1 ? hostPart : hostPart.slice(0, semi);
  const params = semi === -1 ? '' : hostPart.slice(semi);
  const { host, port } = splitHostPort(hostPort);
  if (!host || !HOST.test(host)) return `'${uri}' has no valid host`;
  const address = addressProblem(host);
  if (address) return `'${uri}' ${address}`;
  if (port !== undefined && !(Number.isInteger(port) && port >= 1 && port <= 65535)) {
    return `'${uri}' has an invalid port`;
  }
  if (!PARAMS.test(params)) return `'${uri}' has invalid URI parameters`;
  // sofia sends to maddr's address instead of the host (nta.c nta_tpn_by_url): what every
  // check here, the transport fit's included, reads as the destination would not be it
  if (/;maddr=/i.test(params))
    return `'${uri}' has ;maddr=: drachtio-server would send there, not to the host; write that address as the host`;
  const transport = transportParam(scheme[1]!.toLowerCase() as 'sip' | 'sips', params);
  return transport.ok ? undefined : `'${uri}' ${transport.problem}`;
}

const IPV4 = /^[0-9]{1,3}(?:\.[0-9]{1,3}){3}$/;

/**
 * A literal address that is not one, that drachtio-server would read as another, or that names
 * no single host: the kernel refuses to send to a broadcast address (drachtio answers its own
 * 503), and 0.0.0.0 or a multicast group reach no dealer (the attempt runs to its timeout).
 */
function addressProblem(host: string): string | undefined {
  if (host.startsWith('[')) {
    const address = host.slice(1, -1);
    if (isIP(address) !== 6) return `has '${host}', which is not an IPv6 address`;
    if (/^[0:]+$/.test(address)) return `has '${host}', the unspecified address, which is no host`;
    if (/^ff/i.test(address)) return `has '${host}', a multicast address, which is no one host`;
    return undefined;
  }
  if (!IPV4.test(host)) return undefined;
  const octets = host.split('.');
  if (octets.some((o) => Number(o) > 255)) return `has '${host}', which is not an IPv4 address`;
  // the resolver drachtio-server hands it to (getaddrinfo) reads such an octet as octal
  if (octets.some((o) => o.length > 1 && o.startsWith('0')))
    return `has the IPv4 address '${host}' with a leading zero, which drachtio-server reads as octal (010 is 8): write each number without leading zeros`;
  const first = Number(octets[0]);
  if (first === 0) return `has '${host}', in 0.0.0.0/8 ("this network"), which is no host`;
  if (first >= 224 && first < 240)
    return `has '${host}', a multicast address, which is no one host`;
  if (first >= 240) return `has '${host}', a reserved or broadcast address, which is no host`;
  return undefined;
}

function splitHostPort(hostPort: string): { host: string; port?: number } {
  if (hostPort.startsWith('[')) {
    const close = hostPort.indexOf(']');
    const after = hostPort.slice(close + 1);
    if (close === -1 || (after !== '' && !after.startsWith(':'))) return { host: '' };
    return after
      ? { host: hostPort.slice(0, close + 1), port: portOf(after.slice(1)) }
      : { host: hostPort };
  }
  const colon = hostPort.indexOf(':');
  if (colon === -1) return { host: hostPort };
  return { host: hostPort.slice(0, colon), port: portOf(hostPort.slice(colon + 1)) };
}

function portOf(text: string): number {
  return /^[0-9]{1,5}$/.test(text) ? Number(text) : Number.NaN;
}
