// A request from the app outside any dialog (`sip||` + request): the server completes it the
// way drachtio-server does (Via, From tag, To, Call-ID, CSeq, Max-Forwards, Contact for INVITE,
// Content-Type for SDP), sends it, and echoes the wire text back.
import { type AppSip, filterAppHeaders, pickHeader, withoutHeaders } from './app-headers.js';
import { newClientTxn, startClientTxn } from './client-txn.js';
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
import { type AppClient, localContact, type Stack } from './stack.js';
import { deliverResponse } from './uac-responses.js';
import { requestSentExtra } from './wire.js';

/** Methods sofia knows; anything else is an invalid request line for drachtio-server. */
// biome-ignore format: one table
export const KNOWN_METHODS = new Set([
  'INVITE', 'ACK', 'CANCEL', 'BYE', 'OPTIONS', 'REGISTER', 'INFO', 'PRACK', 'UPDATE', 'MESSAGE',
  'SUBSCRIBE', 'NOTIFY', 'REFER', 'PUBLISH',
]);

const PLACED = ['from', 'to', 'call-id', 'cseq', 'contact', 'max-forwards', 'content-type'];

class Refused extends Error {}

export function sendOutsideDialog(
  stack: Stack,
  client: AppClient,
  msgId: string,
  proxy: string,
  sip: AppSip,
): void {
  try {
    const { txn, text } = buildOutsideRequest(stack, client, proxy, sip);
    startClientTxn(stack, txn, (t, res) => deliverResponse(stack, t, res, internalMeta()));
    client.reply(msgId, 'OK', sentExtra(stack, txn.txnId, text));
  } catch (err) {
    if (!(err instanceof Refused)) throw err;
    client.reply(msgId, 'NOK', err.message);
  }
}

/** Echo of a request the server sent for the app; address/port are the server's own. */
export function sentExtra(stack: Stack, txnId: string, text: string): string {
  const meta = {
    source: 'application' as const,
    bytes: Buffer.byteLength(text),
    protocol: 'udp' as const,
    address: stack.config.host,
    port: stack.config.port,
  };
  return requestSentExtra(meta, txnId, text);
}

/** sofia's internal responses (timeouts) carry no source address. */
export function internalMeta(): Endpoint {
  return { address: '', port: 0 };
}

function buildOutsideRequest(stack: Stack, client: AppClient, proxy: string, sip: AppSip) {
  const { method, uri } = requestLine(sip.startLine);
  if (transportOf(proxy || uri) !== 'udp') {
    throw new Refused('requested protocol/transport not available');
  }
  const app = filterAppHeaders(sip.headers, { host: stack.config.host, port: stack.config.port });
  const from = fromValue(stack, pickHeader(app, 'from'));
  const fromTag = getParam(parseNameAddr(from).params, 'tag') ?? newTag();
  const contentType = pickHeader(app, 'content-type') ?? sdpType(sip.body);
  const to = destination(stack, uri, proxy);
  const callId = pickHeader(app, 'call-id') ?? newCallId();
  const branch = newBranch();
  const headers: SipHeader[] = [
    {
      name: 'Via',
      value: `SIP/2.0/UDP ${stack.config.host}:${stack.config.port};rport;branch=${branch}`,
    },
    { name: 'Max-Forwards', value: pickHeader(app, 'max-forwards') ?? '70' },
    { name: 'From', value: from.includes(`tag=${fromTag}`) ? from : `${from};tag=${fromTag}` },
    { name: 'To', value: normalize(pickHeader(app, 'to') ?? uri) },
    { name: 'Call-ID', value: callId },
    { name: 'CSeq', value: pickHeader(app, 'cseq') ?? `${newCseq()} ${method}` },
    ...contactHeader(stack, method, pickHeader(app, 'contact')),
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
  return { txn, text };
}

function requestLine(startLine: string): { method: string; uri: string } {
  const line = /^([A-Za-z]+)\s+(\S+)\s+SIP\/2\.0$/.exec(startLine);
  const method = line?.[1]?.toUpperCase() ?? '';
  const uri = line?.[2] ?? '';
  if (!parseUri(uri) || !KNOWN_METHODS.has(method))
    throw new Refused(`invalid request-uri: ${startLine}`);
  return { method, uri };
}

function destination(stack: Stack, uri: string, proxy: string): Endpoint {
  const target = uriEndpoint(uri);
  if (target?.address === stack.config.host && target.port === stack.config.port) {
    throw new Refused('can not send request to myself');
  }
  const to = proxy ? uriEndpoint(proxy) : target;
  // Deliberately left out: DNS. The real server would resolve host names through sofia.
  if (!to) throw new Refused(`drachtio stand-in cannot resolve ${proxy || uri} (no DNS)`);
  return to;
}

function fromValue(stack: Stack, appFrom: string | undefined): string {
  if (appFrom === undefined) return localContact(stack);
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

function contactHeader(stack: Stack, method: string, appContact: string | undefined): SipHeader[] {
  if (appContact !== undefined) return [{ name: 'Contact', value: normalize(appContact) }];
  if (method === 'INVITE' || method === 'SUBSCRIBE')
    return [{ name: 'Contact', value: localContact(stack) }];
  return [];
}

export { Refused };
