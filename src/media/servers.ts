/**
 * The FreeSWITCH event-socket connections: one per configured server, each connected with a
 * timeout (a wrong secret makes fsmrf's own connect never settle), reconnected with a growing delay
 * when it drops, and TCP no-delay on every event socket (modesl writes a command in several
 * writes; with Nagle each command waits ~40 ms for a delayed ACK). `take` hands out a connected
 * server per anchor, in turn, and counts the anchors each has in progress: a server with
 * `maxPendingAnchors` of them takes no more until one settles. Counting until FreeSWITCH settles
 * an anchor, not until the call's deadline gives up on it, is what keeps a slow server from being
 * handed more work than it finishes: without the cap, every anchor the deadline abandoned stays
 * queued in FreeSWITCH and the next ones queue behind it, so anchoring stays slow after the burst
 * that made it slow has passed.
 */
import type { Logger } from '../observability/logger.js';
import { PeerWatch } from '../observability/peer-watch.js';
import { connectMediaServer } from './connect.js';
import type { FsMediaServer, FsMrf } from './fsmrf-types.js';
import type { ServerSpec } from './server-spec.js';

export { parseServer, type ServerSpec } from './server-spec.js';

export type ServersDeps = {
  mrf: FsMrf;
  listenAddress: string;
  connectTimeoutMs: number;
  logger: Logger;
  /** Called with the number of connected servers whenever it changes. */
  onChange?: (connected: number) => void;
  /** Called with the anchors in progress on every server whenever it changes. */
  onPending?: (pending: number) => void;
  /** Called when `take` finds every connected server busy. */
  onBusy?: () => void;
  /** While a server stays away, a reminder this often (the retries are debug lines). */
  reminderMs?: number;
  /** Anchors in progress on one server before it takes no more (MEDIA_ANCHOR_MAX_PENDING). */
  maxPendingAnchors: number;
  /** The longest an anchor counts: drachtio-srf never settles a request its server dropped. */
  holdMaxMs?: number;
};

/** One event-socket connection and the anchors in progress on it. */
type Conn = { ms: FsMediaServer; pending: number };

/** An anchor's claim on a server, given back with `done` once FreeSWITCH settled it. */
export type Lease = { ms: FsMediaServer; done(): void };

type Slot = {
  spec: ServerSpec;
  conn?: Conn;
  reason: string;
  retries: number;
  timer?: NodeJS.Timeout;
  watch: PeerWatch;
};

const REMEDY =
  'set FREESWITCH=host:port:password of its event socket (several: comma-separated), or leave FREESWITCH empty to run signalling only; calls go without media until then';
const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 5000;
/**
 * SIP's transaction timeout (32 s) and fsmrf's wait for FreeSWITCH's outbound socket (4 s) bound
 * an anchor on a live drachtio connection; one whose connection dropped would hang for ever.
 */
const HOLD_MAX_MS = 36_000;

export class MediaServers {
  readonly #slots: Slot[];
  #next = 0;
  #closed = false;

  constructor(
    specs: readonly ServerSpec[],
    private readonly deps: ServersDeps,
  ) {
    this.#slots = specs.map((spec) => ({
      spec,
      reason: 'connecting',
      retries: 0,
      watch: new PeerWatch({
        peer: 'FreeSWITCH',
        address: `${spec.host}:${spec.port}`,
        remedy: REMEDY,
        reminderMs: deps.reminderMs ?? 60_000,
        logger: deps.logger,
      }),
    }));
  }

  /** Connects every server; resolves when each attempt has succeeded or failed once. */
  async start(): Promise<void> {
    await Promise.all(this.#slots.map((slot) => this.#connect(slot)));
  }

  get connected(): number {
    return this.#slots.filter((s) => s.conn).length;
  }

  /** Anchors in progress on every connected server. */
  get pendingAnchors(): number {
    let n = 0;
    for (const slot of this.#slots) n += slot.conn?.pending ?? 0;
    return n;
  }

  /** One line per server for /readyz: `host:port connected` or `host:port down: reason`. */
  describe(): string {
    return this.#slots
      .map((s) => `${s.spec.host}:${s.spec.port} ${s.conn ? 'connected' : `down: ${s.reason}`}`)
      .join('; ');
  }

  /**
   * A connected server with room for one more anchor, in turn; `busy` when every connected server
   * has `maxPendingAnchors` in progress; undefined when none is connected.
   */
  take(): Lease | 'busy' | undefined {
    let busy = false;
    for (let i = 0; i < this.#slots.length; i++) {
      const conn = this.#slots[(this.#next + i) % this.#slots.length]?.conn;
      if (!conn) continue;
      if (conn.pending >= this.deps.maxPendingAnchors) {
        busy = true;
        continue;
      }
      this.#next = (this.#next + i + 1) % this.#slots.length;
      return this.#lease(conn);
    }
    if (!busy) return undefined;
    this.deps.onBusy?.();
    return 'busy';
  }

  close(): void {
    this.#closed = true;
    for (const slot of this.#slots) {
      clearTimeout(slot.timer);
      slot.watch.stop();
      slot.conn?.ms.disconnect();
      slot.conn = undefined;
    }
  }

  async #connect(slot: Slot): Promise<void> {
    const { host, port, secret } = slot.spec;
    const log = this.deps.logger.child({ freeswitch: `${host}:${port}` });
    try {
      const ms = await connectMediaServer(this.deps.mrf, {
        address: host,
        port,
        secret,
        listenAddress: this.deps.listenAddress,
        timeoutMs: this.deps.connectTimeoutMs,
      });
      if (this.#closed) return ms.disconnect();
      noDelay(ms);
      // a new connection starts at 0: what the old one had in progress settles on the old count
      const conn: Conn = { ms, pending: 0 };
      slot.conn = conn;
      slot.retries = 0;
      ms.on('error', (err) => log.warn({ err }, 'media server error'));
      ms.on('end', () => this.#lost(slot, conn, 'connection lost'));
      slot.watch.reached();
      this.deps.onChange?.(this.connected);
    } catch (err) {
      slot.reason = (err as Error).message;
      slot.watch.failed(err);
      this.#retry(slot);
    }
  }

  #lease(conn: Conn): Lease {
    conn.pending++;
    this.deps.onPending?.(this.pendingAnchors);
    let held = true;
    const done = () => {
      if (!held) return;
      held = false;
      clearTimeout(timer);
      conn.pending--;
      this.deps.onPending?.(this.pendingAnchors);
    };
    const timer = setTimeout(done, this.deps.holdMaxMs ?? HOLD_MAX_MS);
    timer.unref();
    return { ms: conn.ms, done };
  }

  #lost(slot: Slot, conn: Conn, reason: string): void {
    if (slot.conn !== conn) return;
    slot.conn = undefined;
    slot.reason = reason;
    conn.ms.disconnect();
    this.deps.logger.warn({ freeswitch: `${slot.spec.host}:${slot.spec.port}` }, reason);
    slot.watch.lost();
    this.deps.onChange?.(this.connected);
    this.#retry(slot);
  }

  #retry(slot: Slot): void {
    if (this.#closed) return;
    const delay = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 1.7 ** slot.retries);
    slot.retries++;
    slot.timer = setTimeout(() => void this.#connect(slot), delay);
    slot.timer.unref();
  }
}

/** TCP no-delay on the inbound event socket and on every outbound one FreeSWITCH opens. */
function noDelay(ms: FsMediaServer): void {
  ms.conn.socket?.setNoDelay(true);
  ms._server?.server.prependListener('connection', (socket) => socket.setNoDelay(true));
}
