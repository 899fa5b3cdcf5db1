// Entry point for every datagram from the network.
import type { Endpoint } from './sip-address.js';
import { parseSip } from './sip-message.js';
import type { Stack } from './stack.js';
import { handleNetworkResponse } from './uac-responses.js';
import { handleNetworkRequest } from './uas.js';

export function onDatagram(stack: Stack, data: Buffer, from: Endpoint): void {
  // Keep-alives (CRLF pings) carry no message.
  if (data.toString('latin1').trim() === '') return;
  const parsed = parseSip(data);
  if (!parsed.ok) {
    stack.trace.note(`unparseable datagram from ${from.address}:${from.port}: ${parsed.error}`);
    return;
  }
  const message = parsed.message;
  if (message.kind === 'request') handleNetworkRequest(stack, message, from, data.length);
  else handleNetworkResponse(stack, message, from, data.length);
}
