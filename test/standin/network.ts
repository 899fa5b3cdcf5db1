// Entry point for every datagram, and every message over TCP, from the network.
import { isIPv4 } from 'node:net';
import { newTag } from './ids.js';
import { buildResponse } from './responses.js';
import { type StreamAfter, sentBy, triage } from './sanity.js';
import type { Endpoint } from './sip-address.js';
import type { SipRequest } from './sip-message.js';
import type { Stack } from './stack.js';
import { handleNetworkResponse } from './uac-responses.js';
import { handleNetworkRequest, stampReceived } from './uas.js';

/**
 * Handles one message; says what becomes of its TCP connection when sofia would shut it down
 * (a stateless reply or a dropped bad request: FIN) or stop reading it (sanity.ts StreamAfter).
 * `framingBad`: tcp.ts found the stream's framing broken (sofia's MSG_FLG_ERROR).
 */
export function onNetworkMessage(
  stack: Stack,
  data: Buffer,
  from: Endpoint,
  framingBad = false,
): StreamAfter | undefined {
  // Keep-alives (CRLF pings) carry no message.
  if (data.toString('latin1').trim() === '') return undefined;
  const t = triage(data, from.transport === 'tcp' ? 'TCP' : 'UDP', framingBad);
  switch (t.action) {
    case 'drop':
      stack.trace.note(`dropped datagram from ${from.address}:${from.port}: ${t.why}`);
      return t.after;
    case 'reply':
      replyStatelessly(stack, t, from);
      return 'fin';
    case 'response':
      handleNetworkResponse(stack, t.response, from, data.length);
      return undefined;
    case 'request':
      handleNetworkRequest(stack, t.request, from, data.length);
      return undefined;
  }
}

function replyStatelessly(
  stack: Stack,
  t: Extract<ReturnType<typeof triage>, { action: 'reply' }>,
  from: Endpoint,
): void {
  // sofia answers a malformed request statelessly, to its top Via: stamped if it checked it
  if (t.checked) stampReceived(t.request, from);
  const to = t.checked ? from : unstampedTarget(t.request);
  if (typeof to === 'string') {
    stack.trace.note(`no ${t.status} to ${from.address}:${from.port}'s request: ${to}`);
    return;
  }
  stack.sendSip(
    buildResponse(t.request, {
      status: t.status,
      toTag: newTag(),
      ...(t.reason && { reason: t.reason }),
    }),
    to,
  );
}

/**
 * The Via's sent-by, or why nothing goes there: the stand-in has UDP and TCP (as a drachtio-server
 * with production's `udp,tcp` contact), and resolves no names (a test's Via that names a host gets
 * nothing back, as from sofia when that name does not resolve).
 */
function unstampedTarget(req: SipRequest): Endpoint | string {
  const to = sentBy(req);
  if (!to) return 'no Via to send it to';
  if (to.transport !== 'UDP' && to.transport !== 'TCP')
    return `its Via is ${to.transport}, and there is no ${to.transport} here`;
  if (!isIPv4(to.host)) return `its Via's sent-by ${to.host} is not an IPv4 address`;
  const endpoint = { address: to.host, port: to.port };
  return to.transport === 'TCP' ? { ...endpoint, transport: 'tcp' } : endpoint;
}
