/**
 * The FreeSWITCH event-socket connections: one per configured server, each connected with a
 * timeout (a wrong secret makes fsmrf's own connect never settle), reconnected with a growing delay
 * when it drops, and TCP no-delay on every event socket (modesl writes a command in several
 * writes; with Nagle each command waits ~40 ms for a delayed ACK). `pick` hands out a connected
 * server per call, in turn.
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
  /** While a server stays away, a reminder this often (the retries are debug lines). */
  reminderMs?: number;
};

type Slot = {
  spec: ServerSpec;
  ms?: FsMediaServer;
  reason: string;
  retries: number;
  timer?: NodeJS.Timeout;
  watch: PeerWatch;
};

const REMEDY =
  'set FREESWITCH=host:port:password of its event socket (several: comma-separated), or leave FREESWITCH empty to run signalling only; calls go without media until then';
const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 5000;

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
    return this.#slots.filter((s) => s.ms).length;
  }

  /** One line per server for /readyz: `host:port connected` or `host:port down: reason`. */
  describe(): string {
    return this.#slots
      .map((s) => `${s.spec.host}:${s.spec.port} ${s.ms ? 'connected' : `down: ${s.reason}`}`)
      .join('; ');
  }

  /** A connected server, in turn; undefined when none is. */
  pick(): FsMediaServer | undefined {
    for (let i = 0; i < this.#slots.length; i++) {
      const slot = this.#slots[(this.#next + i) % this.#slots.length];
      if (slot?.ms) {
        this.#next = (this.#next + i + 1) % this.#slots.length;
        return slot.ms;
      }
    }
    return undefined;
  }

  close(): void {
    this.#closed = true;
    for (const slot of this.#slots) {
      clearTimeout(slot.timer);
      slot.watch.stop();
      slot.ms?.disconnect();
      slot.ms = undefined;
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
      slot.ms = ms;
      slot.retries = 0;
      ms.on('error', (err) => log.warn({ err }, 'media server error'));
      ms.on('end', () => this.#lost(slot, ms, 'connection lost'));
      slot.watch.reached();
      this.deps.onChange?.(this.connected);
    } catch (err) {
      slot.reason = (err as Error).message;
      slot.watch.failed(err);
      this.#retry(slot);
    }
  }

  #lost(slot: Slot, ms: FsMediaServer, reason: string): void {
    if (slot.ms !== ms) return;
    slot.ms = undefined;
    slot.reason = reason;
    ms.disconnect();
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
