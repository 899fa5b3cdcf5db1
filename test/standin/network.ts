// Entry point for every datagram from the network.
import { newTag } from './ids.js';
import { buildResponse } from './responses.js';
import { triage } from './sanity.js';
import type { Endpoint } from './sip-address.js';
import type { Stack } from './stack.js';
import { handleNetworkResponse } from './uac-responses.js';
import { handleNetworkRequest, stampReceived } from './uas.js';

export function onDatagram(stack: Stack, data: Buffer, from: Endpoint): void {
  // Keep-alives (CRLF pings) carry no message.
  if (data.toString('latin1').trim() === '') return;
  const t = triage(data);
  switch (t.action) {
    case 'drop':
      stack.trace.note(`dropped datagram from ${from.address}:${from.port}: ${t.why}`);
      return;
    case 'reply':
      // sofia answers a malformed request statelessly, to its (stamped) top Via
      stampReceived(t.request, from);
      stack.sendSip(buildResponse(t.request, { status: t.status, toTag: newTag() }), from);
      return;
    case 'response':
      handleNetworkResponse(stack, t.response, from, data.length);
      return;
    case 'request':
      handleNetworkRequest(stack, t.request, from, data.length);
  }
}
