// SIP over TCP on the same port as UDP, as drachtio-server with a `transport=udp,tcp` contact
// (production's). Seen from v0.9.10 (test/e2e/standin-tcp.test.ts runs on both servers):
//
// - A request to a peer with no connection opens one from an ephemeral port and waits for it;
//   later messages to that peer, and the peer's own, share it. Connections are never closed for
//   being idle (tport_type_tcp.c sets the TCP primary's idle time to UINT_MAX).
// - A refused connect or a reset connection fails every request pending to that peer with the
//   stack's 503 (tport_pending_error, as for ICMP on UDP); a peer that closes cleanly (FIN) fails
//   nothing: what it still owed runs to timer B/F ("no coupling between TCP connection state and
//   SIP", nta.c).
// - A double CRLF ping gets a CRLF pong (TPTAG_PONG2PING); a single CRLF nothing. The server sends
//   no pings of its own.
// - Messages are framed by Content-Length; one without it, or with no end to its headers, stops
//   the connection being read, as sofia marks the stream bad and leaves it.
import { connect, createServer, type Server, type Socket } from 'node:net';
import { type Endpoint, hostPortOf } from './sip-address.js';
import type { Tracer } from './trace.js';

const CRLF = Buffer.from('\r\n');
const PING = Buffer.from('\r\n\r\n');
const HEADERS_END = Buffer.from('\r\n\r\n');
/** sofia's largest message (nta.c: 2 MB unless NTATAG_MAXSIZE); a stream that holds more is bad. */
const MAX_MESSAGE = 2 * 1024 * 1024;

type Conn = { socket: Socket; peer: Endpoint; buf: Buffer; queue?: string[]; bad?: boolean };

export class SipTcp {
  private closed = false;
  private readonly conns = new Map<string, Conn>();
  private onMessage: (data: Buffer, from: Endpoint) => void = () => undefined;
  private onBroken: (peer: Endpoint) => void = () => undefined;

  private constructor(
    private readonly server: Server,
    private readonly trace: Tracer,
  ) {
    server.on('connection', (socket) => {
      const peer = tcpPeer(socket.remoteAddress ?? '', socket.remotePort ?? 0);
      this.adopt({ socket, peer, buf: Buffer.alloc(0) });
    });
  }

  /** Listens on `port` (the UDP socket's); rejects with EADDRINUSE when TCP has it taken. */
  static listen(host: string, port: number, trace: Tracer): Promise<SipTcp> {
    const server = createServer();
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.removeListener('error', reject);
        server.on('error', (err) => trace.note(`tcp error: ${err.message}`));
        resolve(new SipTcp(server, trace));
      });
    });
  }

  get port(): number {
    const address = this.server.address();
    return typeof address === 'object' && address ? address.port : 0;
  }

  onReceived(handler: (data: Buffer, from: Endpoint) => void): void {
    this.onMessage = handler;
  }

  /** `handler` hears of each peer whose connection was refused or reset. */
  onConnectionFailed(handler: (peer: Endpoint) => void): void {
    this.onBroken = handler;
  }

  /** A connection to `peer` is open (a dialog keeps using it only while it is). */
  connected(peer: Endpoint): boolean {
    return this.conns.has(hostPortOf(peer));
  }

  send(text: string, to: Endpoint): void {
    if (this.closed) return;
    const known = this.conns.get(hostPortOf(to));
    if (known?.queue) known.queue.push(text);
    else if (known) this.put(known, text);
    else this.open(to, text);
  }

  close(): Promise<void> {
    this.closed = true;
    for (const conn of this.conns.values()) conn.socket.destroy();
    this.conns.clear();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private open(peer: Endpoint, first: string): void {
    const socket = connect({ host: peer.address, port: peer.port });
    const conn: Conn = { socket, peer: tcpPeer(peer.address, peer.port), buf: Buffer.alloc(0) };
    conn.queue = [first];
    socket.once('connect', () => {
      const queue = conn.queue ?? [];
      conn.queue = undefined;
      for (const text of queue) this.put(conn, text);
    });
    this.adopt(conn);
  }

  private adopt(conn: Conn): void {
    const key = hostPortOf(conn.peer);
    this.conns.set(key, conn);
    // sofia sets SO_KEEPALIVE on every connection, 30 s idle and 30 s apart (tport_type_tcp.c);
    // Node sets the idle time, the kernel's interval stays
    conn.socket.setKeepAlive(true, 30_000);
    conn.socket.on('data', (chunk) => this.received(conn, chunk));
    conn.socket.on('error', (err: NodeJS.ErrnoException) => {
      this.trace.note(`tcp ${key}: ${err.code ?? err.message}`);
      this.forget(conn);
      if (!this.closed) this.onBroken(conn.peer);
    });
    conn.socket.on('close', () => this.forget(conn));
  }

  private forget(conn: Conn): void {
    const key = hostPortOf(conn.peer);
    if (this.conns.get(key) === conn) this.conns.delete(key);
    conn.queue = undefined;
  }

  private put(conn: Conn, text: string): void {
    this.trace.sip('out', hostPortOf(conn.peer), text, 'tcp');
    conn.socket.write(text);
  }

  private received(conn: Conn, chunk: Buffer): void {
    if (conn.bad) return;
    conn.buf = conn.buf.length ? Buffer.concat([conn.buf, chunk]) : chunk;
    for (;;) {
      if (conn.buf.subarray(0, 4).equals(PING)) {
        conn.buf = conn.buf.subarray(4);
        conn.socket.write(CRLF);
        continue;
      }
      // a lone CRLF (a pong) is skipped, once it cannot be the start of a ping any more
      const maybePing =
        conn.buf.length < PING.length && PING.subarray(0, conn.buf.length).equals(conn.buf);
      if (conn.buf.subarray(0, 2).equals(CRLF) && !maybePing) {
        conn.buf = conn.buf.subarray(2);
        continue;
      }
      const message = this.nextMessage(conn);
      if (!message) return;
      this.trace.sip('in', hostPortOf(conn.peer), message.toString('utf8'), 'tcp');
      this.onMessage(message, conn.peer);
    }
  }

  /** The next whole message in the stream, or undefined while it is not all in (or is bad). */
  private nextMessage(conn: Conn): Buffer | undefined {
    const end = conn.buf.indexOf(HEADERS_END);
    if (end < 0) {
      if (conn.buf.length > MAX_MESSAGE) this.stall(conn, 'no end to its headers');
      return undefined;
    }
    const head = conn.buf.subarray(0, end).toString('latin1');
    const length = /^(?:content-length|l)[ \t]*:[ \t]*(\d+)[ \t]*$/im.exec(head)?.[1];
    if (length === undefined) {
      this.stall(conn, 'a message without Content-Length');
      return undefined;
    }
    const total = end + HEADERS_END.length + Number(length);
    if (total > MAX_MESSAGE) {
      this.stall(conn, `a message of ${total} bytes`);
      return undefined;
    }
    if (conn.buf.length < total) return undefined;
    const message = conn.buf.subarray(0, total);
    conn.buf = conn.buf.subarray(total);
    return message;
  }

  private stall(conn: Conn, why: string): void {
    conn.bad = true;
    conn.buf = Buffer.alloc(0);
    this.trace.note(`tcp ${hostPortOf(conn.peer)}: ${why}; the connection is no longer read`);
  }
}

function tcpPeer(address: string, port: number): Endpoint {
  return { address: address.replace(/^::ffff:/, ''), port, transport: 'tcp' };
}
