// A request from the app outside any dialog (`sip||` + request): the server completes it the
// way drachtio-server does (Via, From tag, To, Call-ID, CSeq, Max-Forwards, Contact for INVITE,
// Content-Type for SDP), sends it, and echoes the wire text back.
import { isIP } from 'node:net';
import { type AppSip, filterAppHeaders, pickHeader, withoutHeaders } from './app-headers.js';
import { type ClientTxn, newClientTxn, stackResponse, startClientTxn } from './client-txn.js';
import { parseBuilt } from './dialog-requests.js';
import { dialogIdOf } from './dialogs.js';
import { newBranch, newCallId, newCseq, newTag } from './ids.js';
import {
  type Endpoint,
  formatNameAddr,
  getParam,
  parseNameAddr,
  parseUri,
  replaceHostPort,
  transportOf,
  uriEndpoint,
} from './sip-address.js';
import type { SipHeader } from './sip-message.js';
import { buildMessage } from './sip-serialize.js';
import { type AppClient, localContact, localVia, type Stack, sentMeta } from './stack.js';
import { deliverResponse } from './uac-responses.js';
import { requestSentExtra, sipPayload } from './wire.js';

/** Methods sofia knows; anything else is an invalid request line for drachtio-server. */
// biome-ignore format: one table
export const KNOWN_METHODS = new Set([
  'INVITE', 'ACK', 'CANCEL', 'BYE', 'OPTIONS', 'REGISTER', 'INFO', 'PRACK', 'UPDATE', 'MESSAGE',
  'SUBSCRIBE', 'NOTIFY', 'REFER', 'PUBLISH',
]);

const PLACED = ['from', 'to', 'call-id', 'cseq', 'contact', 'max-forwards', 'content-type'];

class Refused extends Error {}
/** The request took the server down (Stack.crash): nobody is left to answer. */
class Crashed extends Error {}

export function sendOutsideDialog(
  stack: Stack,
  client: AppClient,
  msgId: string,
  proxy: string,
  sip: AppSip,
): void {
  try {
    const { txn, text, stackAnswer } = buildOutsideRequest(stack, client, proxy, sip);
    if (stackAnswer) {
      answeredByStack(client, msgId, txn, text, stackAnswer);
      return;
    }
    startClientTxn(stack, txn, (t, res) => deliverResponse(stack, t, res, internalMeta()));
    client.reply(msgId, 'OK', sentExtra(stack, txn.txnId, text, txn.to));
  } catch (err) {
    if (err instanceof Crashed) return;
    if (!(err instanceof Refused)) throw err;
    client.reply(msgId, 'NOK', err.message);
  }
}

/** What sofia answers itself to a request it takes but cannot send anywhere. */
export type StackAnswer = { status: number; reason: string };
/** A `sips:` URI that names no transport: sofia finds none for it (no TLS contact). */
const UNSUPPORTED_SCHEME: StackAnswer = { status: 416, reason: 'Unsupported URI Scheme' };
/**
 * A host name: the stand-in does no DNS, and answers as sofia does when its resolver finds
 * nothing (nta.c SIPDNS_503_ERROR; v0.9.10 on a machine without DNS, `localhost` included: sofia's
 * resolver reads no hosts file).
 */
export const DNS_ERROR: StackAnswer = { status: 503, reason: 'DNS Error' };

const nowhere = { bytes: 0, protocol: 'unknown' as const, address: '', port: 0 };

/** Echo of a request sofia took and sent nowhere (yet): `application|0|unknown||0`. */
export function sentNowhere(txnId: string, text: string): string {
  return requestSentExtra({ source: 'application', ...nowhere }, txnId, text);
}

/**
 * sofia takes the request and answers it at once with its own response, sent on no transport
 * (seen with v0.9.10: `application|0|unknown||0` in the echo, then `network|0|unknown||0`).
 */
export function answeredByStack(
  client: AppClient,
  msgId: string,
  txn: ClientTxn,
  text: string,
  { status, reason }: StackAnswer,
): void {
  client.reply(msgId, 'OK', sentNowhere(txn.txnId, text));
  const answer = stackResponse(txn.request, status, reason);
  client.send(sipPayload({ source: 'network', ...nowhere }, txn.txnId, txn.dialogId, answer.raw));
}

/** Echo of a request the server sent for the app to `to` (stack.ts `sentMeta`). */
export function sentExtra(stack: Stack, txnId: string, text: string, to: Endpoint): string {
  return requestSentExtra(sentMeta(stack, to, Buffer.byteLength(text)), txnId, text);
}

/** sofia's internal responses (timeouts) carry no source address. */
export function internalMeta(): Endpoint {
  return { address: '', port: 0 };
}

function buildOutsideRequest(stack: Stack, client: AppClient, proxy: string, sip: AppSip) {
  const hostless = /^[A-Za-z]+\s+((?:tel|fax|modem):\S*)\s/i.exec(sip.startLine)?.[1];
  if (hostless) {
    // sofia parses it, drachtio passes its host (none) to a std::string: SIGSEGV, exit 139
    // (sip-dialog-controller.cpp findTportForSubscription, seen with v0.9.10)
    stack.crash(`drachtio-server v0.9.10 dies of the host-less Request-URI ${hostless}`);
    throw new Crashed();
  }
  const { method, uri } = requestLine(sip.startLine);
  // UDP and TCP, as production's contact (`transport=udp,tcp`); no TLS, no WebSocket
  const transport = transportOf(proxy || uri);
  const noTransport = transport === 'tls' && !/;\s*transport=/i.test(proxy || uri);
  if (transport !== 'udp' && transport !== 'tcp' && !noTransport) {
    throw new Refused('requested protocol/transport not available');
  }
  const over = transport === 'tcp' ? transport : undefined;
  const app = filterAppHeaders(sip.headers, { host: stack.config.host, port: stack.config.port });
  // without the app's To the Request-URI becomes the To, where `?headers` cannot stand: sofia
  // makes no leg (sip-dialog-controller.cpp, seen with v0.9.10)
  if (!pickHeader(app, 'to') && uri.slice(uri.lastIndexOf('@') + 1).includes('?'))
    throw new Refused('Error creating leg');
  const from = fromValue(stack, pickHeader(app, 'from'), over);
  const fromTag = getParam(parseNameAddr(from).params, 'tag') ?? newTag();
  const contentType = pickHeader(app, 'content-type') ?? sdpType(sip.body);
  const resolved = destination(stack, uri, proxy);
  // never sent: the stack answers it (answeredByStack)
  const to = resolved ?? internalMeta();
  const callId = pickHeader(app, 'call-id') ?? newCallId();
  const branch = newBranch();
  const headers: SipHeader[] = [
    { name: 'Via', value: localVia(stack, to, branch) },
    { name: 'Max-Forwards', value: pickHeader(app, 'max-forwards') ?? '70' },
    { name: 'From', value: from.includes(`tag=${fromTag}`) ? from : `${from};tag=${fromTag}` },
    { name: 'To', value: normalize(pickHeader(app, 'to') ?? uri) },
    { name: 'Call-ID', value: callId },
    { name: 'CSeq', value: pickHeader(app, 'cseq') ?? `${newCseq()} ${method}` },
    ...contactHeader(stack, method, pickHeader(app, 'contact'), over),
    ...(contentType ? [{ name: 'Content-Type', value: contentType }] : []),
    ...withoutHeaders(app, PLACED),
  ];
  const text = buildMessage(`${method} ${uri} SIP/2.0`, headers, sip.body);
  const dialogId = method === 'INVITE' ? dialogIdOf(callId, fromTag) : '';
  const txn = newClientTxn({
    method,
    branch,
    request: parseBuilt(text),
    text,
    to,
    client,
    dialogId,
  });
  const stackAnswer = noTransport ? UNSUPPORTED_SCHEME : resolved ? undefined : DNS_ERROR;
  return { txn, text, stackAnswer };
}

function requestLine(startLine: string): { method: string; uri: string } {
  const line = /^([A-Za-z]+)\s+(\S+)\s+SIP\/2\.0$/.exec(startLine);
  const method = line?.[1]?.toUpperCase() ?? '';
  const uri = line?.[2] ?? '';
  if (!parseUri(uri) || !KNOWN_METHODS.has(method))
    throw new Refused(`invalid request-uri: ${startLine}`);
  return { method, uri };
}

/** Where to send, or undefined for a host name (DNS_ERROR). */
function destination(stack: Stack, uri: string, proxy: string): Endpoint | undefined {
  const target = uriEndpoint(uri);
  if (target?.address === stack.config.host && target.port === stack.config.port) {
    throw new Refused('can not send request to myself');
  }
  const to = proxy ? uriEndpoint(proxy) : target;
  if (!to) return undefined;
  // sofia has no transport of the other family: v0.9.10 with IPv4 contacts only refuses an IPv6
  // destination at once, as it refuses `;transport=tls`
  if (isIP(to.address) !== isIP(stack.config.host))
    throw new Refused('requested protocol/transport not available');
  return to;
}

function fromValue(stack: Stack, appFrom: string | undefined, over: 'tcp' | undefined): string {
  if (appFrom === undefined) return localContact(stack, over);
  // Any `localhost` in the From is replaced, not only `@localhost` as for other headers.
  const replaced = appFrom.includes('localhost')
    ? replaceHostPort(appFrom, stack.config.host, stack.config.port)
    : appFrom;
  if (replaced === undefined)
    throw new Refused(`invalid from value provided by client: ${appFrom}`);
  return normalize(replaced);
}

function normalize(value: string): string {
  return formatNameAddr(parseNameAddr(value));
}

/** Content-Type for a body the app did not label: SDP is recognised, anything else refused. */
export function sdpType(body: string): string | undefined {
  if (!body) return undefined;
  if (body.startsWith('v=0')) return 'application/sdp';
  throw new Refused('missing content-type');
}

function contactHeader(
  stack: Stack,
  method: string,
  appContact: string | undefined,
  over: 'tcp' | undefined,
): SipHeader[] {
  if (appContact !== undefined) return [{ name: 'Contact', value: normalize(appContact) }];
  if (method === 'INVITE' || method === 'SUBSCRIBE')
    return [{ name: 'Contact', value: localContact(stack, over) }];
  return [];
}

export { Refused };
