/**
 * A dealer's PBX that forwards every call it gets to another number, as a B2BUA does (a new
 * Call-ID and tags, Max-Forwards one less, History-Info and Diversion passed on): the way a dealer
 * who forwards its phone to its own tracking number makes a loop. The forwarded call's final
 * status is ACKed and answered back on the first call. Raw SIP over one UDP socket.
 */
import { randomUUID } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import type { Test } from 'tap';
import { peerResponse } from './raw-peer.js';

export type ForwardingPbx = {
  port: number;
  /** Every message received, in order. */
  received: string[];
};

const header = (msg: string, name: string) =>
  new RegExp(`^${name}:\\s*(.*)$`, 'mi').exec(msg)?.[1]?.trim();

export async function forwardingPbx(
  t: Test,
  forwardTo: { number: string; port: number },
): Promise<ForwardingPbx> {
  const socket: Socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  t.teardown(() => socket.close());
  const port = socket.address().port;
  const received: string[] = [];
  const send = (text: string, to: number) =>
    socket.send(Buffer.from(text, 'utf8'), to, '127.0.0.1');
  /** forwarded Call-ID → the first call's INVITE and where it came from */
  const legs = new Map<string, { invite: string; from: number; answered: boolean }>();
  const seen = new Set<string>();

  socket.on('message', (data, rinfo) => {
    const msg = data.toString('utf8');
    received.push(msg);
    const first = msg.split('\r\n')[0] ?? '';
    if (first.startsWith('INVITE ')) {
      const callId = header(msg, 'Call-ID') ?? '';
      send(peerResponse(msg, '100 Trying'), rinfo.port);
      if (seen.has(callId)) return; // a retransmission
      seen.add(callId);
      const forwarded = `fwd-${randomUUID()}`;
      legs.set(forwarded, { invite: msg, from: rinfo.port, answered: false });
      send(forwardedInvite(msg, forwarded, port, forwardTo), forwardTo.port);
    } else if (first.startsWith('SIP/2.0 ')) {
      const status = Number(first.split(' ')[1]);
      const leg = legs.get(header(msg, 'Call-ID') ?? '');
      if (!leg || status < 300) return;
      send(ack(msg, forwardTo), rinfo.port);
      if (leg.answered) return;
      leg.answered = true;
      send(peerResponse(leg.invite, first.slice('SIP/2.0 '.length), [], '', 'pbx1'), leg.from);
    }
  });
  return { port, received };
}

function forwardedInvite(
  invite: string,
  callId: string,
  port: number,
  to: { number: string; port: number },
): string {
  const body = invite.slice(invite.indexOf('\r\n\r\n') + 4);
  const hops = Number(header(invite, 'Max-Forwards') ?? '70') - 1;
  const passed = ['History-Info', 'Diversion']
    .map((name) => [name, header(invite, name)] as const)
    .filter(([, v]) => v !== undefined)
    .map(([name, v]) => `${name}: ${v}`);
  return [
    `INVITE sip:${to.number}@127.0.0.1:${to.port} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bK-${callId}`,
    `From: <sip:dealer-pbx@127.0.0.1:${port}>;tag=pbx-${callId.slice(4, 12)}`,
    `To: <sip:${to.number}@127.0.0.1:${to.port}>`,
    `Call-ID: ${callId}`,
    'CSeq: 1 INVITE',
    `Contact: <sip:dealer-pbx@127.0.0.1:${port}>`,
    `Max-Forwards: ${hops}`,
    ...passed,
    'Content-Type: application/sdp',
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n');
}

/** The ACK of a non-2xx final (RFC 3261 17.1.1.3): the INVITE's Via branch, the response's To. */
function ack(response: string, to: { number: string; port: number }): string {
  return [
    `ACK sip:${to.number}@127.0.0.1:${to.port} SIP/2.0`,
    `Via: ${header(response, 'Via')}`,
    `From: ${header(response, 'From')}`,
    `To: ${header(response, 'To')}`,
    `Call-ID: ${header(response, 'Call-ID')}`,
    'CSeq: 1 ACK',
    'Max-Forwards: 70',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}
