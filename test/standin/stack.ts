// The shared context every part of the stand-in works on. Parts receive it as an argument, so
// each file can be read on its own and nothing hides in module-level state.
import type { ClientTxnStore } from './client-txn.js';
import type { DialogStore } from './dialogs.js';
import type { ServerTxnStore } from './server-txn.js';
import type { Endpoint } from './sip-address.js';
import type { TimerRegistry, TimerValues } from './timers.js';
import type { Tracer } from './trace.js';
import type { ReplyStatus } from './wire.js';

export interface StackConfig extends TimerValues {
  /** Address of the SIP socket, used in Via, Contact and `@localhost` replacement. */
  host: string;
  /** Actual port of the SIP socket. */
  port: number;
  /** How long an incoming request may wait for the app's first answer before it is dropped. */
  pendingTimeout: number;
  /** How long a 200 to an INVITE waits for its ACK (drachtio's own timer H; see StandinOptions). */
  ackTimeout: number;
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
  /** Sends one datagram and records it in the trace. */
  sendSip(text: string, to: Endpoint): void;
  /** From now on, an ICMP port unreachable from `peer` fails what is pending there (udp.ts). */
  watchPeer(peer: Endpoint): void;
}

export function localEndpoint(stack: Stack): Endpoint {
  return { address: stack.config.host, port: stack.config.port };
}

/** `<sip:host:port>`: the Contact drachtio-server generates for itself. */
export function localContact(stack: Stack): string {
  return `<sip:${stack.config.host}:${stack.config.port}>`;
}
