// The shared context every part of the stand-in works on. Parts receive it as an argument, so
// each file can be read on its own and nothing hides in module-level state.
import type { ClientTxnStore } from './client-txn.js';
import type { DialogStore } from './dialogs.js';
import type { ServerTxnStore } from './server-txn.js';
import type { Endpoint } from './sip-address.js';
import type { TimerRegistry, TimerValues } from './timers.js';
import type { Tracer } from './trace.js';
import type { Meta, ReplyStatus } from './wire.js';

export interface StackConfig extends TimerValues {
  /** Address of the SIP socket, used in Via, Contact and `@localhost` replacement. */
  host: string;
  /** Actual port of the SIP socket. */
  port: number;
  /** How long an incoming request may wait for the app's first answer before it is dropped. */
  pendingTimeout: number;
  /** How long a 200 to an INVITE waits for its ACK (drachtio's own timer H; see StandinOptions). */
  ackTimeout: number;
  /** How long an INVITE we sent may go without a provisional once it had one (timer C). */
  timerC: number;
  /** RFC 4028 session timers as drachtio-server runs them; see session-timer.ts. */
  sessionTimer: SessionTimerConfig;
}

export interface SessionTimerConfig {
  /** Seconds: the Min-SE the server sends and enforces (drachtio-server: 90). */
  minSE: number;
  /** Milliseconds: a refresh we send fires at half the interval ± up to this (drachtio: 5000). */
  jitter: number;
  /** Who refreshes when an offer names no refresher; `none` runs no session timer (default). */
  defaultRefresher: 'none' | 'uac' | 'uas';
}

/** One connected drachtio-srf application. */
export interface AppClient {
  readonly id: number;
  readonly closed: boolean;
  /** Sends one payload as a frame. */
  send(payload: string): void;
  /** Sends `<id>|response|<rid>|<status>[|<extra>]`. */
  reply(rid: string, status: ReplyStatus, extra?: string): void;
}

export interface AppRouter {
  /** Round-robin choice among the apps that routed this verb (lower-case method). */
  select(verb: string): AppClient | undefined;
}

export interface Stack {
  readonly config: StackConfig;
  readonly timers: TimerRegistry;
  readonly trace: Tracer;
  readonly apps: AppRouter;
  readonly dialogs: DialogStore;
  readonly serverTxns: ServerTxnStore;
  readonly clientTxns: ClientTxnStore;
  /**
   * Sends one message (a datagram, or over TCP to a `tcp` endpoint) and records it in the trace.
   * `refused` hears if the kernel would not send the datagram (no route, a broadcast address).
   */
  sendSip(text: string, to: Endpoint, refused?: () => void): void;
  /**
   * What drachtio-server v0.9.10 dies of: every app connection reset, nothing listens any more
   * (the real process exits on SIGSEGV). Noted in the trace with `why`.
   */
  crash(why: string): void;
  /** From now on, an ICMP port unreachable from `peer` fails what is pending there (udp.ts). */
  watchPeer(peer: Endpoint): void;
  /** A TCP connection to `peer` is open (tcp.ts). */
  connected(peer: Endpoint): boolean;
}

export function localEndpoint(stack: Stack): Endpoint {
  return { address: stack.config.host, port: stack.config.port };
}

/**
 * `<sip:host:port>`: the Contact drachtio-server generates for itself; over TCP with
 * `;transport=tcp` (sip-transports.cpp getContactUri names every transport but UDP).
 */
export function localContact(stack: Stack, transport?: Endpoint['transport']): string {
  const param = transport ? `;transport=${transport}` : '';
  return `<sip:${stack.config.host}:${stack.config.port}${param}>`;
}

/**
 * The Via of a request the server sends to `to`: `rport` asked for over UDP only (drachtio sets
 * NTATAG_CLIENT_RPORT; sofia adds it to a TCP Via only with NTATAG_TCP_RPORT, which it does not).
 */
export function localVia(stack: Stack, to: Endpoint | undefined, branch: string): string {
  const { host, port } = stack.config;
  return to?.transport === 'tcp'
    ? `SIP/2.0/TCP ${host}:${port};branch=${branch}`
    : `SIP/2.0/UDP ${host}:${port};rport;branch=${branch}`;
}

/** The protocol field of a frame's meta for a message to or from `peer`. */
export function protocolOf(peer: Endpoint | undefined): 'udp' | 'tcp' {
  return peer?.transport ?? 'udp';
}

/**
 * Where a message the server sent for the app went, as its `Msg sent` echo says: the tport's
 * name, which over UDP is the server's own address and over TCP the connection's peer.
 */
export function sentMeta(stack: Stack, to: Endpoint | undefined, bytes: number): Meta {
  const over = to?.transport === 'tcp' ? to : localEndpoint(stack);
  return {
    source: 'application',
    bytes,
    protocol: protocolOf(to),
    address: over.address,
    port: over.port,
  };
}
