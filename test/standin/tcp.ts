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
// - Keep-alives (tport_type_tcp.c tport_recv_stream): whitespace (CR, LF, SP, HT) at the start of
//   a read with no message in progress is counted, and a read that brings the count to 4 gets one
//   CRLF pong (TPTAG_PONG2PING), whatever it held: a double CRLF, four spaces, four CRLF pairs at
//   once (one pong). The server sends no pings of its own.
// - Whitespace that comes before a message in the same read, or after one message and before the
//   next, loses that message: drachtio's TPORT_LOG makes sofia copy each header as it parses
//   (MSG_DO_EXTRACT_COPY), and msg_parser.c extract_first copies the request line from before
//   the whitespace it skipped, so the line does not parse (MSG_FLG_ERROR): nothing is answered
//   and the connection is read no more. Seen with v0.9.10.
// - Messages are framed by Content-Length. Without it, a message is complete at the end of its
//   headers only when the peer closes (its body the rest, sip_parser.c sip_extract_body); any
//   byte after its headers makes it bad. A bad message (that, or a connection closed inside a
//   message) is a malformed request: 400 and FIN (network.ts, sanity.ts), the connection read no
//   more. A message over sofia's 2 MB stops the connection being read.
// - A peer's FIN ends the connection (tport_recv_event: tport_shutdown0(self, 2)) once what it
//   sent is parsed: a response to a request that came on it then finds it gone (uas-answer.ts).
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { StreamAfter } from './sanity.js';
import { type Endpoint, hostPortOf } from './sip-address.js';
import type { Tracer } from './trace.js';

const CRLF = Buffer.from('\r\n');
const HEADERS_END = Buffer.from('\r\n\r\n');
/** sofia's largest message (nta.c: 2 MB unless NTATAG_MAXSIZE); a stream that holds more is bad. */
const MAX_MESSAGE = 2 * 1024 * 1024;

type Conn = {
  socket: Socket;
  peer: Endpoint;
  buf: Buffer;
  queue?: string[];
  bad?: boolean;
  /** Keep-alive whitespace counted since the last message bytes or pong (sofia's tp_ping). */
  ping: number;
};

/** Says what becomes of the connection after a message (network.ts onNetworkMessage). */
type MessageHandler = (
  data: Buffer,
  from: Endpoint,
  framingBad: boolean,
) => StreamAfter | undefined;

export class SipTcp {
  private closed = false;
  private readonly conns = new Map<string, Conn>();
  private onMessage: MessageHandler = () => undefined;
  private onBroken: (peer: Endpoint) => void = () => undefined;

  private constructor(
    private readonly server: Server,
    private readonly trace: Tracer,
  ) {
    server.on('connection', (socket) => {
      const peer = tcpPeer(socket.remoteAddress ?? '', socket.remotePort ?? 0);
      this.adopt({ socket, peer, buf: Buffer.alloc(0), ping: 0 });
    });
  }

  /** Listens on `port` (the UDP socket's); rejects with EADDRINUSE when TCP has it taken. */
  static listen(host: string, port: number, trace: Tracer): Promise<SipTcp> {
    // half-open: a peer's FIN is handled here (what it sent parsed, a 400 sent) before ours
    const server = createServer({ allowHalfOpen: true });
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

  onReceived(handler: MessageHandler): void {
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
    const socket = connect({ host: peer.address, port: peer.port, allowHalfOpen: true });
    const peerEnd = tcpPeer(peer.address, peer.port);
    const conn: Conn = { socket, peer: peerEnd, buf: Buffer.alloc(0), ping: 0 };
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
    conn.socket.on('end', () => this.ended(conn));
    conn.socket.on('close', () => this.forget(conn));
  }

  /** The peer's FIN: what it sent is parsed as complete, then the connection is closed. */
  private ended(conn: Conn): void {
    if (!conn.bad) this.extract(conn, true);
    this.forget(conn);
    conn.socket.end();
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
    const data = conn.buf.length ? chunk : this.keepalive(conn, chunk);
    if (data.length === 0) return;
    conn.ping = 0;
    conn.buf = conn.buf.length ? Buffer.concat([conn.buf, data]) : data;
    this.extract(conn, false);
  }

  /**
   * sofia's look at a read with no message in progress (tport_recv_stream): a read of at most 8
   * bytes loses its leading whitespace to the count; a longer one keeps it (and so loses its
   * message, below) unless it is all whitespace. One pong for the read once the count reaches 4.
   */
  private keepalive(conn: Conn, chunk: Buffer): Buffer {
    let ws = wsSpan(chunk);
    let rest = chunk;
    if (chunk.length <= 8 && ws > 0) {
      conn.ping += ws;
      rest = chunk.subarray(ws);
      ws = 0;
    }
    if (ws + conn.ping >= 4) {
      conn.ping = 0;
      conn.socket.write(CRLF);
    } else conn.ping += ws;
    return ws === rest.length ? Buffer.alloc(0) : rest;
  }

  /** Hands on each whole message in the buffer; `eos`: the peer closed, nothing more comes. */
  private extract(conn: Conn, eos: boolean): void {
    while (!conn.bad && conn.buf.length > 0) {
      const ws = wsSpan(conn.buf);
      if (ws === conn.buf.length) {
        conn.buf = Buffer.alloc(0); // extract_first skips it: nothing follows yet
        return;
      }
      if (ws > 0) {
        this.stall(conn, 'whitespace before a message: its request line does not parse');
        return;
      }
      const next = this.nextMessage(conn, eos);
      if (!next) return;
      this.trace.sip('in', hostPortOf(conn.peer), next.message.toString('utf8'), 'tcp');
      if (next.bad) conn.bad = true;
      const after = this.onMessage(next.message, conn.peer, next.bad);
      if (after === 'fin') this.finish(conn);
      else if (after === 'stall' || next.bad) this.stall(conn, 'a bad message');
    }
  }

  /** The next message in the stream, or undefined while it is not all in. */
  private nextMessage(conn: Conn, eos: boolean): { message: Buffer; bad: boolean } | undefined {
    const whole = (length: number, bad = false) => {
      const message = conn.buf.subarray(0, length);
      conn.buf = conn.buf.subarray(length);
      return { message, bad };
    };
    const end = conn.buf.indexOf(HEADERS_END);
    if (end < 0) {
      if (eos) return whole(conn.buf.length, true);
      if (conn.buf.length > MAX_MESSAGE) this.stall(conn, 'no end to its headers');
      return undefined;
    }
    const head = conn.buf.subarray(0, end).toString('latin1');
    const length = /^(?:content-length|l)[ \t]*:[ \t]*(\d+)[ \t]*$/im.exec(head)?.[1];
    const bodyStart = end + HEADERS_END.length;
    if (length === undefined) {
      // sip_extract_body: no Content-Length is an error once anything follows the headers
      if (conn.buf.length > bodyStart) return whole(conn.buf.length, true);
      return eos ? whole(conn.buf.length) : undefined;
    }
    const total = bodyStart + Number(length);
    if (total > MAX_MESSAGE) {
      this.stall(conn, `a message of ${total} bytes`);
      return undefined;
    }
    if (conn.buf.length < total) return eos ? whole(conn.buf.length, true) : undefined;
    return whole(total);
  }

  /** A reply with TPTAG_SDWN_AFTER, or tport_shutdown(tport, 1): FIN, nothing more read. */
  private finish(conn: Conn): void {
    this.stall(conn, 'FIN after a bad message');
    conn.socket.end();
  }

  private stall(conn: Conn, why: string): void {
    conn.bad = true;
    conn.buf = Buffer.alloc(0);
    this.trace.note(`tcp ${hostPortOf(conn.peer)}: ${why}; the connection is no longer read`);
  }
}

/** Leading CR, LF, SP and HT (tport_type_tcp.c ws_span). */
function wsSpan(buf: Buffer): number {
  let i = 0;
  while (i < buf.length && (buf[i] === 13 || buf[i] === 10 || buf[i] === 32 || buf[i] === 9)) i++;
  return i;
}

function tcpPeer(address: string, port: number): Endpoint {
  return { address: address.replace(/^::ffff:/, ''), port, transport: 'tcp' };
}
