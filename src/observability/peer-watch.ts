/**
 * What the log says about a peer the gateway keeps reconnecting to (drachtio-server, Redis, a
 * FreeSWITCH): one warning when it is missing, naming the settings that point the gateway at it;
 * the retries themselves at debug; a reminder at warn every `reminderMs` while it stays away; one
 * info line when it comes (back). A client library retries every few hundred milliseconds, and a
 * log line per retry buries everything else on a first start.
 */
import type { Logger } from './logger.js';

export type PeerWatchOptions = {
  /** What the peer is, as ops call it: `drachtio-server`, `Redis`, `FreeSWITCH`. */
  peer: string;
  /** Where the gateway looks for it (no credentials). */
  address: string;
  /** What to set to point the gateway elsewhere, and what happens meanwhile. */
  remedy: string;
  /** What to set when the peer answers but refuses the gateway (a wrong secret). */
  refusedRemedy?: string;
  reminderMs: number;
  logger: Logger;
  now?: () => number;
  /** Runs `fn` once after `ms`; returns its cancel. Default: an unref'd timer. */
  later?: (fn: () => void, ms: number) => () => void;
};

type State = 'new' | 'up' | 'down';
/** `unreachable`: nothing answers at the address; `refused`: the peer answers and says no. */
export type Failure = 'unreachable' | 'refused';

const timer = (fn: () => void, ms: number) => {
  const t = setTimeout(fn, ms);
  t.unref();
  return () => clearTimeout(t);
};

export class PeerWatch {
  readonly #o: PeerWatchOptions;
  readonly #now: () => number;
  readonly #later: (fn: () => void, ms: number) => () => void;
  #state: State = 'new';
  #since = 0;
  #attempts = 0;
  #lastError = '';
  #failure: Failure = 'unreachable';
  #cancel: () => void = () => undefined;

  constructor(options: PeerWatchOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.#later = options.later ?? timer;
  }

  get up(): boolean {
    return this.#state === 'up';
  }

  /** Failed attempts since the peer was last reached. */
  get attempts(): number {
    return this.#attempts;
  }

  /**
   * An attempt failed: the first one of an outage is the warning, the rest are debug. A failure
   * of another kind than the last (the peer came but refuses the gateway) is news: warned too.
   */
  failed(err?: unknown, failure: Failure = 'unreachable'): void {
    this.#attempts++;
    if (err !== undefined) this.#lastError = messageOf(err);
    const fields = { peer: this.#o.peer, address: this.#o.address, attempt: this.#attempts };
    if (this.#state === 'down' && failure === this.#failure) {
      this.#o.logger.debug({ ...fields, reason: this.#lastError }, `retrying ${this.#o.peer}`);
      return;
    }
    const lost = this.#state === 'up';
    this.#failure = failure;
    if (this.#state !== 'down') this.#goDown();
    const { peer, address } = this.#o;
    const problem =
      failure === 'refused'
        ? `${peer} at ${address} refuses the connection`
        : `${lost ? 'lost' : 'no'} ${peer} at ${address}`;
    this.#o.logger.warn({ ...fields, reason: this.#lastError }, `${problem}: ${this.#remedy()}`);
  }

  /**
   * The connection dropped and the caller has said so in its own words (with what it means for
   * calls in progress): down without a second warning; reminders as for any outage.
   */
  lost(): void {
    if (this.#state === 'down') return;
    this.#goDown();
  }

  /** Reached: one info line, with what the outage cost when there was one. */
  reached(fields: Record<string, unknown> = {}): void {
    const was = this.#state;
    this.#state = 'up';
    this.#cancel();
    const at = `${this.#o.peer} at ${this.#o.address}`;
    // a dropped connection that the first reconnect restores has no failed attempt to count
    const tries = this.#attempts > 0 ? `after ${this.#attempts} failed attempts` : 'again';
    if (was === 'down')
      this.#o.logger.info(
        { ...fields, peer: this.#o.peer, address: this.#o.address, attempts: this.#attempts },
        `connected to ${at} ${tries}, down for ${this.#downFor()}`,
      );
    else this.#o.logger.info({ ...fields, peer: this.#o.peer }, `connected to ${at}`);
    this.#attempts = 0;
  }

  /** Stops the reminders (shutdown). */
  stop(): void {
    this.#cancel();
  }

  #goDown(): void {
    this.#state = 'down';
    this.#since = this.#now();
    this.#schedule();
  }

  #schedule(): void {
    this.#cancel();
    this.#cancel = this.#later(() => this.#remind(), this.#o.reminderMs);
  }

  #remind(): void {
    if (this.#state !== 'down') return;
    this.#o.logger.warn(
      {
        peer: this.#o.peer,
        address: this.#o.address,
        attempts: this.#attempts,
        reason: this.#lastError,
      },
      `${this.#failure === 'refused' ? `${this.#o.peer} at ${this.#o.address} still refuses the connection` : `still no ${this.#o.peer} at ${this.#o.address}`}, ${this.#attempts} attempts, down for ${this.#downFor()}: ${this.#remedy()}`,
    );
    this.#schedule();
  }

  #remedy(): string {
    return (this.#failure === 'refused' && this.#o.refusedRemedy) || this.#o.remedy;
  }

  #downFor(): string {
    return `${Math.round((this.#now() - this.#since) / 1000)}s`;
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
