// The one UDP SIP socket. Every datagram in or out is recorded in the trace.
import { createSocket, type Socket } from 'node:dgram';
import type { Endpoint } from './sip-address.js';
import type { Tracer } from './trace.js';

export class SipSocket {
  private closed = false;

  private constructor(
    private readonly socket: Socket,
    private readonly trace: Tracer,
  ) {}

  static bind(host: string, port: number, trace: Tracer): Promise<SipSocket> {
    // a burst of datagrams must not overflow the kernel's default buffer while the loop is busy
    const socket = createSocket({ type: 'udp4', recvBufferSize: 4 * 1024 * 1024 });
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, host, () => {
        socket.removeListener('error', reject);
        socket.on('error', (err) => trace.note(`udp error: ${err.message}`));
        resolve(new SipSocket(socket, trace));
      });
    });
  }

  get address(): Endpoint {
    const a = this.socket.address();
    return { address: a.address, port: a.port };
  }

  onDatagram(handler: (data: Buffer, from: Endpoint) => void): void {
    this.socket.on('message', (data, rinfo) => {
      const from = { address: rinfo.address, port: rinfo.port };
      this.trace.sip('in', `${from.address}:${from.port}`, data.toString('utf8'));
      handler(data, from);
    });
  }

  send(text: string, to: Endpoint): void {
    if (this.closed) return;
    this.trace.sip('out', `${to.address}:${to.port}`, text);
    this.socket.send(Buffer.from(text, 'utf8'), to.port, to.address);
  }

  close(): Promise<void> {
    this.closed = true;
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}
