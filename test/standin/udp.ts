// The UDP SIP socket. Every datagram in or out is recorded in the trace.
//
// sofia learns that a peer's port is closed from the ICMP port unreachable its datagram drew
// (IP_RECVERR on its one socket, tport_udp.c) and fails every request still pending to that
// peer (tport.c tport_pending_error). Node reads no socket error queue, and the kernel tells an
// unconnected socket nothing; it tells a connected one, with ECONNREFUSED. So each peer the
// stand-in sends requests to gets a socket of its own, bound to the same address and port and
// connected to that peer: the kernel hands it that peer's ICMP errors and datagrams, whichever
// socket sent what drew them. What goes to a peer while its socket connects waits, so that the
// first request's error is not missed. Sharing the port takes SO_REUSEADDR on every socket bound
// to it (sofia sets none); a probe for a free port binds without it, so still finds it taken.
import { createSocket, type Socket } from 'node:dgram';
import { type Endpoint, hostPortOf } from './sip-address.js';
import type { Tracer } from './trace.js';

/** A burst of datagrams must not overflow the kernel's default buffer while the loop is busy. */
const RECV_BUFFER = 4 * 1024 * 1024;
/** Peers watched at once; the one sent a request to longest ago gives its socket up first. */
const MAX_WATCHED = 256;

/** A datagram to go out, and who hears if the kernel refuses it. */
type Outgoing = { text: string; refused: (() => void) | undefined };
type Watched = { socket: Socket; peer: Endpoint; queue?: Outgoing[] };

export class SipSocket {
  private closed = false;
  private readonly watched = new Map<string, Watched>();
  private onMessage: (data: Buffer, from: Endpoint) => void = () => undefined;
  private onUnreachable: (peer: Endpoint) => void = () => undefined;

  private constructor(
    private readonly socket: Socket,
    private readonly trace: Tracer,
  ) {
    socket.on('message', (data, rinfo) => this.received(data, rinfo));
  }

  static async bind(host: string, port: number, trace: Tracer): Promise<SipSocket> {
    // SO_REUSEADDR sockets do not stand in each other's way, and the kernel may hand port 0 to
    // one that holds a port already: a socket without it takes the port first, so a port in use
    // is refused (EADDRINUSE) and port 0 gets one nobody holds
    const free = await bound(createSocket('udp4'), port, host, true);
    const socket = createSocket({ type: 'udp4', recvBufferSize: RECV_BUFFER, reuseAddr: true });
    await bound(socket, free, host, false);
    socket.on('error', (err) => trace.note(`udp error: ${err.message}`));
    return new SipSocket(socket, trace);
  }

  get address(): Endpoint {
    const a = this.socket.address();
    return { address: a.address, port: a.port };
  }

  onDatagram(handler: (data: Buffer, from: Endpoint) => void): void {
    this.onMessage = handler;
  }

  /** `handler` hears of each watched peer whose port an ICMP error says is closed. */
  onPortUnreachable(handler: (peer: Endpoint) => void): void {
    this.onUnreachable = handler;
  }

  /** Hears from now on whether `peer`'s port is closed (see the top of this file). */
  watch(peer: Endpoint): void {
    if (this.closed) return;
    const key = hostPortOf(peer);
    const known = this.watched.get(key);
    if (known) {
      this.watched.delete(key);
      this.watched.set(key, known);
      return;
    }
    if (this.watched.size >= MAX_WATCHED) {
      const [oldest, w] = this.watched.entries().next().value as [string, Watched];
      this.watched.delete(oldest);
      this.release(w);
    }
    const socket = createSocket({ type: 'udp4', recvBufferSize: RECV_BUFFER, reuseAddr: true });
    const w: Watched = { socket, peer, queue: [] };
    this.watched.set(key, w);
    socket.on('message', (data, rinfo) => this.received(data, rinfo));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNREFUSED') {
        this.trace.note(`icmp port unreachable from ${key}`);
        this.onUnreachable(peer);
        return;
      }
      // a socket that cannot be bound or connected: the peer goes unwatched, nothing is held
      this.trace.note(`udp error (${key}): ${err.message}`);
      if (this.watched.get(key) === w) this.watched.delete(key);
      this.release(w);
    });
    const { address, port } = this.address;
    socket.bind(port, address, () => socket.connect(peer.port, peer.address, () => this.flush(w)));
  }

  /** `refused` hears if the kernel will not send it (EACCES for a broadcast, EINVAL, no route). */
  send(text: string, to: Endpoint, refused?: () => void): void {
    if (this.closed) return;
    const queue = this.watched.get(hostPortOf(to))?.queue;
    if (queue) queue.push({ text, refused });
    else this.put(text, to, refused);
  }

  close(): Promise<void> {
    this.closed = true;
    for (const w of this.watched.values()) this.release(w);
    this.watched.clear();
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }

  private received(data: Buffer, rinfo: { address: string; port: number }): void {
    const from = { address: rinfo.address, port: rinfo.port };
    this.trace.sip('in', hostPortOf(from), data.toString('utf8'));
    this.onMessage(data, from);
  }

  private put(text: string, to: Endpoint, refused: (() => void) | undefined): void {
    this.trace.sip('out', hostPortOf(to), text);
    const data = Buffer.from(text, 'utf8');
    if (!refused) {
      this.socket.send(data, to.port, to.address);
      return;
    }
    this.socket.send(data, to.port, to.address, (err) => {
      if (!err) return;
      this.trace.note(`udp send to ${hostPortOf(to)} refused: ${err.message}`);
      refused();
    });
  }

  /** The peer's socket is connected: what waited goes out, in order. */
  private flush(w: Watched): void {
    const queue = w.queue;
    w.queue = undefined;
    if (this.closed || !queue) return;
    for (const out of queue) this.put(out.text, w.peer, out.refused);
  }

  private release(w: Watched): void {
    const queue = w.queue;
    w.queue = undefined;
    // what waited for a socket that will never connect goes out unwatched
    if (queue && !this.closed) for (const out of queue) this.put(out.text, w.peer, out.refused);
    try {
      w.socket.close();
    } catch {
      // closed already (an error closed it)
    }
  }
}

/**
 * Binds `socket` and resolves with its port (closed again first if `thenClose`); rejects with
 * the bind's error, the socket closed.
 */
function bound(socket: Socket, port: number, host: string, thenClose: boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    socket.once('error', (err) => {
      socket.close();
      reject(err);
    });
    socket.bind(port, host, () => {
      socket.removeAllListeners('error');
      const taken = socket.address().port;
      if (thenClose) socket.close(() => resolve(taken));
      else resolve(taken);
    });
  });
}
