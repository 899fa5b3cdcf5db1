/**
 * A raw SIP sender for `bench/admission`: INVITEs at a fixed rate, each from its own UDP socket
 * bound to one of `sources` loopback addresses (Linux routes all of 127.0.0.0/8 to lo), each
 * with its own Call-ID. The final response is ACKed as RFC 3261 17.1.1.3 asks of a client for a
 * non-2xx (else the server retransmits it), then the socket is closed. No INVITE is
 * retransmitted: a lost datagram shows as a missing response, and the run fails.
 */
import { randomUUID } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import type { Endpoint } from '../test/standin/index.js';

export type FloodOptions = {
  invites: number;
  /** Distinct source addresses, used in turn: INVITE i comes from source i mod `sources`. */
  sources: number;
  /** INVITEs per second. */
  rate: number;
  /** The called number (Request-URI user part). */
  called: string;
  /** Source addresses are 127.<firstOctet + i / 65536>.<i / 256 mod 256>.<i mod 256>. */
  firstOctet: number;
};

export type FloodResult = {
  /** Final responses by status code. */
  statuses: Map<number, number>;
  /** INVITEs without a final response when the run gave up waiting. */
  missing: number;
  wallMs: number;
};

/** How long the last INVITE may wait for its final response. */
const SETTLE_MS = 15_000;
const TICK_MS = 4;

export function sourceAddress(firstOctet: number, i: number): string {
  return `127.${firstOctet + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;
}

export async function flood(target: Endpoint, o: FloodOptions): Promise<FloodResult> {
  if (o.sources > 65536 * (255 - o.firstOctet)) throw new Error('too many sources for 127/8');
  const statuses = new Map<number, number>();
  const pending = new Map<string, Socket>();
  const started = performance.now();
  // Call-IDs and branches of their own in every run: the stand-in keeps a transaction for 32 s
  // after its ACK, and a reused branch would be taken for a retransmission
  const run = randomUUID().slice(0, 8);
  let sent = 0;
  let failure: Error | undefined;

  const send = (i: number) => {
    const socket = createSocket('udp4');
    const address = sourceAddress(o.firstOctet, i % o.sources);
    const id = `${run}-${i}`;
    const callId = `adm-${id}@bench`;
    let invite = '';
    socket.on('error', (err) => {
      failure ??= new Error(`source ${address}: ${err.message}`);
      socket.close();
    });
    socket.on('message', (data) => {
      const text = data.toString('utf8');
      const status = Number(/^SIP\/2\.0 (\d{3})/.exec(text)?.[1] ?? 0);
      if (status < 200 || !pending.has(callId)) return; // 100 Trying, or a retransmission
      pending.delete(callId);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      // no call may stay up: the number is not configured, a 2xx means the run is wrong
      if (status < 300) failure ??= new Error(`${callId} was answered (${status})`);
      socket.send(ack(invite, text), target.port, target.address, () => socket.close());
    });
    socket.bind(0, address, () => {
      invite = inviteText(o.called, target, socket.address().port, address, id);
      pending.set(callId, socket);
      socket.send(invite, target.port, target.address);
    });
  };

  await new Promise<void>((resolve) => {
    const tick = () => {
      const due = Math.min(o.invites, Math.floor(((performance.now() - started) * o.rate) / 1000));
      while (sent < due && !failure) send(sent++);
      if (sent < o.invites && !failure) setTimeout(tick, TICK_MS);
      else resolve();
    };
    tick();
  });
  const deadline = performance.now() + SETTLE_MS;
  while (pending.size > 0 && performance.now() < deadline && !failure)
    await new Promise((r) => setTimeout(r, 20));
  const wallMs = performance.now() - started;
  for (const socket of pending.values()) socket.close();
  if (failure) throw failure;
  return { statuses, missing: pending.size, wallMs };
}

function inviteText(
  called: string,
  target: Endpoint,
  port: number,
  address: string,
  id: string,
): string {
  const uri = `sip:${called}@${target.address}:${target.port}`;
  return [
    `INVITE ${uri} SIP/2.0`,
    `Via: SIP/2.0/UDP ${address}:${port};branch=z9hG4bK-adm-${id};rport`,
    'Max-Forwards: 70',
    `From: <sip:+4930123456@${address}>;tag=adm${id}`,
    `To: <${uri}>`,
    `Call-ID: adm-${id}@bench`,
    'CSeq: 1 INVITE',
    `Contact: <sip:+4930123456@${address}:${port}>`,
    'User-Agent: calltrack-bench',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

/**
 * RFC 3261 17.1.1.3: the ACK of a non-2xx final response has the INVITE's Request-URI, Call-ID,
 * From, top Via (same branch) and CSeq number, and the response's To (with the server's tag).
 */
function ack(invite: string, response: string): string {
  const header = (text: string, name: string) =>
    new RegExp(`^${name}:[^\\r\\n]*`, 'mi').exec(text)?.[0] ?? '';
  const requestLine = invite.slice(0, invite.indexOf('\r\n')).replace(/^INVITE/, 'ACK');
  return [
    requestLine,
    header(invite, 'Via'),
    'Max-Forwards: 70',
    header(invite, 'From'),
    header(response, 'To'),
    header(invite, 'Call-ID'),
    'CSeq: 1 ACK',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}
