// SIP over one UDP socket, and responses/requests as sofia-sip (FreeSWITCH's stack) writes them.
// Parsing and header order reuse the drachtio stand-in's pure modules (both stacks are sofia).
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import type { Endpoint } from '../standin/sip-address.js';
import {
  parseSip,
  type SipHeader,
  type SipMessage,
  type SipRequest,
} from '../standin/sip-message.js';
import { buildMessage } from '../standin/sip-serialize.js';
import type { FsTracer } from './trace.js';

export const USER_AGENT = 'FreeSWITCH-mod_sofia/1.10.12-release~64bit';
export const ALLOW =
  'INVITE, ACK, BYE, CANCEL, OPTIONS, MESSAGE, INFO, UPDATE, REGISTER, REFER, NOTIFY';

export class UdpSip {
  private handler: (message: SipMessage, from: Endpoint) => void = () => {};

  private constructor(
    private readonly socket: Socket,
    private readonly trace: FsTracer,
    readonly address: Endpoint,
  ) {
    socket.on('message', (data, rinfo) => {
      const from = { address: rinfo.address, port: rinfo.port };
      const parsed = parseSip(data);
      const text = data.toString('utf8');
      const firstLine = text.split(/\r?\n/)[0] ?? '';
      this.trace.add({
        kind: 'sip',
        dir: 'in',
        peer: `${from.address}:${from.port}`,
        firstLine,
        text,
      });
      if (!parsed.ok) {
        this.trace.add({ kind: 'note', text: `dropped malformed datagram: ${parsed.error}` });
        return;
      }
      this.handler(parsed.message, from);
    });
  }

  static async bind(host: string, port: number, trace: FsTracer): Promise<UdpSip> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, host, () => resolve());
    });
    return new UdpSip(socket, trace, { address: host, port: socket.address().port });
  }

  onMessage(handler: (message: SipMessage, from: Endpoint) => void): void {
    this.handler = handler;
  }

  send(text: string, to: Endpoint): void {
    const firstLine = text.split('\r\n')[0] ?? '';
    this.trace.add({ kind: 'sip', dir: 'out', peer: `${to.address}:${to.port}`, firstLine, text });
    this.socket.send(text, to.port, to.address);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

export function newTag(): string {
  return randomBytes(6).toString('hex');
}

export function newBranch(): string {
  return `z9hG4bK${randomBytes(8).toString('hex')}`;
}

const REASONS: Readonly<Record<number, string>> = {
  100: 'Trying',
  200: 'OK',
  405: 'Method Not Allowed',
  481: 'Call/Transaction Does Not Exist',
  487: 'Request Terminated',
  488: 'Not Acceptable Here',
  500: 'Server Internal Error',
};

/** A response built from the request: Via/From/To/Call-ID/CSeq copied, To tag added. */
export function buildResponse(
  req: SipRequest,
  status: number,
  options: { toTag?: string; headers?: SipHeader[]; body?: string } = {},
): string {
  const copied = req.headers.filter((h) =>
    ['via', 'v', 'from', 'f', 'call-id', 'i', 'cseq', 'record-route'].includes(
      h.name.toLowerCase(),
    ),
  );
  const to = req.headers.find((h) => ['to', 't'].includes(h.name.toLowerCase()))?.value ?? '';
  const toValue = options.toTag && !/;\s*tag=/i.test(to) ? `${to};tag=${options.toTag}` : to;
  const headers: SipHeader[] = [
    ...copied,
    { name: 'To', value: toValue },
    ...(status > 100 ? [{ name: 'User-Agent', value: USER_AGENT }] : []),
    ...(options.headers ?? []),
  ];
  return buildMessage(`SIP/2.0 ${status} ${REASONS[status] ?? 'OK'}`, headers, options.body ?? '');
}
