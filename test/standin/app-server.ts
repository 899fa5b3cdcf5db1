// The TCP side facing drachtio-srf apps: framing, authenticate, route, ping, and hand-off of
// `sip` frames. Replies mirror drachtio-server's client.cpp, including when it hangs up.
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import type { AppRegistry } from './app-router.js';
import { encodeFrame, FrameDecoder, FramingError } from './framing.js';
import type { AppClient } from './stack.js';
import type { Tracer } from './trace.js';
import { type AppFrame, parseAppFrame, type ReplyStatus, replyPayload } from './wire.js';

/** srf pings only servers reporting at least v0.8.2; the traces show `v0.9.10-…`. */
export const SERVER_VERSION = 'v0.9.10-standin';

export interface AppServerDeps {
  secret: string;
  trace: Tracer;
  registry: AppRegistry;
  /** `tcp/host:port,udp/host:port`, reported on authenticate. */
  hostports: () => string;
  /** Handles a `sip` frame; returns false when the server must hang up on the app. */
  onSip: (client: AppClient, frame: AppFrame) => boolean;
}

class Connection implements AppClient {
  closed = false;
  readonly decoder = new FrameDecoder();

  constructor(
    readonly id: number,
    private readonly socket: Socket,
    private readonly trace: Tracer,
  ) {}

  send(payload: string): void {
    if (this.closed) return;
    this.trace.frame('out', this.id, payload);
    this.socket.write(encodeFrame(payload));
  }

  reply(rid: string, status: ReplyStatus, extra?: string): void {
    this.send(replyPayload(rid, status, extra));
  }

  hangUp(): void {
    this.closed = true;
    this.socket.end();
  }

  /** The connection breaks (a reset, a network failure): no goodbye on either side. */
  reset(): void {
    this.closed = true;
    this.socket.destroy();
  }
}

export class AppServer {
  private readonly server: Server;
  private readonly connections = new Set<Connection>();
  private nextId = 1;

  constructor(private readonly deps: AppServerDeps) {
    this.server = createServer((socket) => this.accept(socket));
  }

  listen(port: number, host: string): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => resolve(this.server.address() as AddressInfo));
    });
  }

  /** Breaks every app connection and keeps listening: the apps reconnect to the same server. */
  dropConnections(): void {
    for (const c of this.connections) c.reset();
  }

  close(): Promise<void> {
    for (const c of this.connections) c.hangUp();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    socket.setNoDelay(true);
    const conn = new Connection(this.nextId++, socket, this.deps.trace);
    this.connections.add(conn);
    socket.on('data', (chunk: Buffer) => this.onData(conn, socket, chunk));
    // A reset connection is handled like a closed one ('close' follows every 'error').
    socket.on('error', () => {});
    socket.on('close', () => {
      // its routes stay until selection meets them (app-router.ts), as the server's weak pointers do
      conn.closed = true;
      this.connections.delete(conn);
    });
  }

  private onData(conn: Connection, socket: Socket, chunk: Buffer): void {
    let payloads: string[];
    try {
      payloads = conn.decoder.push(chunk);
    } catch (err) {
      if (!(err instanceof FramingError)) throw err;
      this.deps.trace.note(`conn ${conn.id}: ${err.message}; closing`);
      socket.destroy();
      return;
    }
    for (const payload of payloads) {
      if (conn.closed) return;
      this.deps.trace.frame('in', conn.id, payload);
      if (!this.handle(conn, parseAppFrame(payload))) conn.hangUp();
    }
  }

  /** Returns false when drachtio-server would disconnect the app after replying. */
  private handle(conn: Connection, frame: AppFrame): boolean {
    const { msgId, type, tokens } = frame;
    if (tokens.length < 2) return refuse(conn, msgId, 'Invalid message format');
    switch (type) {
      case 'ping':
        conn.reply(msgId, 'OK', 'pong');
        return true;
      case 'route':
        this.deps.registry.add(tokens[2] ?? '', conn);
        conn.reply(msgId, 'OK');
        return true;
      case 'remove_route':
        this.deps.registry.removeClient(conn);
        conn.reply(msgId, 'OK');
        return true;
      case 'authenticate':
        return this.authenticate(conn, msgId, tokens[2] ?? '');
      case 'sip':
        return this.deps.onSip(conn, frame);
      case 'proxy':
        // Deliberately left out: a stateful proxy is not part of the gateway's call path.
        conn.reply(msgId, 'NOK', 'proxy is not supported by the drachtio stand-in');
        return true;
      default:
        return refuse(conn, msgId, 'Unknown message type');
    }
  }

  private authenticate(conn: Connection, msgId: string, secret: string): boolean {
    if (secret !== this.deps.secret) return refuse(conn, msgId, 'incorrect secret');
    const hp = this.deps.hostports();
    conn.reply(msgId, 'OK', `${hp}|${SERVER_VERSION}|${hp}`);
    return true;
  }
}

function refuse(conn: Connection, msgId: string, reason: string): false {
  conn.reply(msgId, 'NO', reason);
  return false;
}
