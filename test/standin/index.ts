// The drachtio-server stand-in as a library: start it on (possibly ephemeral) ports, point a
// drachtio-srf app at `adminAddress`, SIP peers at `sipAddress`, read `trace`, then `close()`.
import { AppRegistry } from './app-router.js';
import { AppServer } from './app-server.js';
import { handleAppSip } from './app-sip.js';
import { ClientTxnStore, failPendingTo } from './client-txn.js';
import { DialogStore } from './dialogs.js';
import { onNetworkMessage } from './network.js';
import { ServerTxnStore } from './server-txn.js';
import type { Endpoint } from './sip-address.js';
import type { Stack, StackConfig } from './stack.js';
import { SipTcp } from './tcp.js';
import { TimerRegistry } from './timers.js';
import { type TraceRecord, Tracer } from './trace.js';
import type { TraceTarget } from './trace-sink.js';
import { SipSocket } from './udp.js';

export type { Endpoint } from './sip-address.js';
export type { TraceRecord } from './trace.js';
export type { TraceTarget } from './trace-sink.js';

export interface StandinOptions {
  /** Port for SIP, UDP and TCP alike (production's `transport=udp,tcp`); 0 picks a free one. */
  sipPort: number;
  /** TCP port for drachtio-srf apps; 0 picks a free one. */
  adminPort: number;
  secret: string;
  /**
   * Timer T1 in ms (default 500), as `sip/timers/t1` sets it in drachtio-server: sofia's
   * transactions time out at 64×T1. Not the 2xx to an INVITE: see `ackTimeout`.
   */
  t1?: number;
  /** Timer T2 in ms (default 4000). */
  t2?: number;
  /** Address of the SIP socket, and of the app socket unless `adminHost` is given (default 127.0.0.1). */
  host?: string;
  adminHost?: string;
  /** Also append every trace record to this JSON-lines file. */
  traceFile?: string;
  /** How long a new request waits for the app's first answer (default 64 s, as the real server). */
  pendingTimeout?: number;
  /**
   * How long a 200 to an INVITE waits for its ACK before the server BYEs (ms). drachtio-server
   * retransmits that 200 itself, from 500 ms doubling to 4 s, and gives up at 32 s: constants
   * of its build (drachtio.h TIMER_H_MSECS, NTA_SIP_T1 and T2), whatever `sip/timers` say.
   * Default 32000; lower it to run that case in a test.
   */
  ackTimeout?: number;
  /**
   * Timer C (ms): an INVITE we sent that got a provisional and then nothing for this long is
   * cancelled by the stack, without the app's asking (sofia's 185 s: drachtio-server sets no
   * NTATAG_UA, so nta.c runs timer C as a proxy would). Default 185000; lower it in a test.
   */
  timerC?: number;
  /**
   * Session timers (RFC 4028), in SECONDS like the Min-SE header: the smallest Session-Expires
   * accepted in a re-INVITE or UPDATE (smaller gets 422) and the floor of the interval granted
   * to an INVITE (default 90, drachtio-server's fixed value). Lower it to run sessions of 1-2 s.
   */
  minSE?: number;
  /**
   * Session timers, in MILLISECONDS: when the stand-in is the refresher it re-INVITEs at half
   * the interval plus a random offset in [-jitter, +jitter) (default 5000, as drachtio-server).
   */
  sessionTimerJitter?: number;
  /**
   * Who refreshes when an INVITE offers Session-Expires without a refresher parameter: `none`
   * (default, drachtio-server's config default) runs no session timer for such an offer.
   */
  sessionTimerDefaultRefresher?: 'none' | 'uac' | 'uas';
}

export interface StandinHandle {
  /** Every frame, datagram and note, in order (while they are kept: `traceTo`). */
  readonly trace: TraceRecord[];
  /** Where records go from now on: kept in `trace` (the default), to a function, or nowhere. */
  traceTo(target: TraceTarget<TraceRecord>): void;
  readonly sipAddress: Endpoint;
  readonly adminAddress: Endpoint;
  /**
   * Breaks every app connection as a network failure would and keeps listening. What was bound
   * to those connections stays bound to them, as in drachtio-server after a lost client.
   */
  dropApps(): void;
  close(): Promise<void>;
}

export async function start(options: StandinOptions): Promise<StandinHandle> {
  const host = options.host ?? '127.0.0.1';
  const trace = new Tracer(options.traceFile);
  const { sip, tcp } = await bindSip(host, options.sipPort, trace);
  const config: StackConfig = {
    host,
    port: sip.address.port,
    t1: options.t1 ?? 500,
    t2: options.t2 ?? 4000,
    pendingTimeout: options.pendingTimeout ?? 64_000,
    ackTimeout: options.ackTimeout ?? 32_000,
    timerC: options.timerC ?? 185_000,
    sessionTimer: {
      minSE: options.minSE ?? 90,
      jitter: options.sessionTimerJitter ?? 5000,
      defaultRefresher: options.sessionTimerDefaultRefresher ?? 'none',
    },
  };
  const registry = new AppRegistry();
  let crash: (why: string) => void = () => undefined;
  const stack = newStack(config, trace, registry, sip, tcp, (why) => crash(why));
  sip.onDatagram((data, from) => onNetworkMessage(stack, data, from));
  sip.onPortUnreachable((peer) => failPendingTo(stack, peer));
  tcp.onReceived((data, from, bad) => onNetworkMessage(stack, data, from, bad));
  tcp.onConnectionFailed((peer) => failPendingTo(stack, peer));
  const apps = new AppServer({
    secret: options.secret,
    trace,
    registry,
    // drachtio-server lists TCP first (seen with v0.9.10)
    hostports: () => `tcp/${config.host}:${config.port},udp/${config.host}:${config.port}`,
    onSip: (client, frame) => handleAppSip(stack, client, frame),
  });
  let admin: { address: string; port: number };
  try {
    admin = await apps.listen(options.adminPort, options.adminHost ?? host);
  } catch (err) {
    await Promise.all([sip.close(), tcp.close()]);
    throw err;
  }
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      stack.timers.clearAll();
      await Promise.all([apps.close(), sip.close(), tcp.close()]);
    })();
    return closing;
  };
  crash = (why) => {
    trace.note(`crashed: ${why}`);
    apps.dropConnections();
    void close();
  };
  return {
    trace: trace.records,
    traceTo: (target) => trace.sendTo(target),
    sipAddress: { address: host, port: config.port },
    adminAddress: { address: admin.address, port: admin.port },
    dropApps: () => apps.dropConnections(),
    close,
  };
}

/**
 * The SIP port, UDP and TCP alike. Port 0 takes UDP's free port for TCP too, and tries again
 * when TCP has that one taken.
 */
async function bindSip(host: string, port: number, trace: Tracer) {
  for (let attempt = 1; ; attempt++) {
    const sip = await SipSocket.bind(host, port, trace);
    try {
      return { sip, tcp: await SipTcp.listen(host, sip.address.port, trace) };
    } catch (err) {
      await sip.close();
      if (port !== 0 || attempt === 20) throw err;
    }
  }
}

function newStack(
  config: StackConfig,
  trace: Tracer,
  apps: AppRegistry,
  sip: SipSocket,
  tcp: SipTcp,
  crash: (why: string) => void,
): Stack {
  const stack: Stack = {
    config,
    timers: new TimerRegistry(),
    trace,
    apps,
    dialogs: new DialogStore(),
    serverTxns: new ServerTxnStore(),
    clientTxns: new ClientTxnStore(),
    sendSip: (text, to, refused) => {
      if (to.port === 0) {
        // the transport cannot send there and sofia answers the request itself: 503 (v0.9.10)
        trace.note(`cannot send to port 0 of ${to.address}`);
        if (refused) setImmediate(refused);
      } else if (to.transport === 'tcp') tcp.send(text, to);
      else sip.send(text, to, refused);
    },
    watchPeer: (peer) => {
      // a datagram to 0.0.0.0 goes to this host, whose ICMP error names the address it reached,
      // not 0.0.0.0: sofia finds nothing pending there and the request runs to its timeout
      if (peer.transport !== 'tcp' && peer.port !== 0 && peer.address !== '0.0.0.0')
        sip.watch(peer);
    },
    connected: (peer) => tcp.connected(peer),
    crash,
  };
  return stack;
}
