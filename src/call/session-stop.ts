/**
 * How a call in progress is stopped, whoever stops it: the caller's CANCEL, or the gateway itself
 * (drain timeout, lost drachtio connection). One abort signal reaches every step (dialing, ring
 * groups, media), its reason the CANCEL's Reason; the first stop wins.
 */
import { StopController, type StopSignal } from '../util/stop-signal.js';
import { CALLER_CANCEL_REASON, END_REASONS } from './cancel-reasons.js';
import type { EndedBy } from './ports.js';

/** The gateway ended the call (drain, lost connection) while a step was under way. */
export class Stopped extends Error {}

export class SessionStop {
  readonly #abort = new StopController();
  #cancelled = false;
  #stopped: EndedBy | undefined;
  #stop: (by: EndedBy) => void = () => undefined;
  /** Resolves with who ended the call once the gateway stops it (never for a CANCEL). */
  readonly stopping = new Promise<EndedBy>((resolve) => {
    this.#stop = (by) => {
      if (this.#stopped) return;
      this.#stopped = by;
      // the abort reason is the CANCEL's Reason; nothing is sent once signalling is lost
      this.#abort.abort(END_REASONS[by]);
      resolve(by);
    };
  });

  get signal(): StopSignal {
    return this.#abort.signal;
  }

  /** The caller cancelled. */
  get cancelled(): boolean {
    return this.#cancelled;
  }

  /** Who of the gateway ended the call, if it did. */
  get stopped(): EndedBy | undefined {
    return this.#stopped;
  }

  /**
   * The gateway ends the call: `gateway` (drain), `signalling-lost`, or `caller-lost` (the
   * caller's INVITE ended without a word to the gateway).
   */
  stop(by: EndedBy): void {
    this.#stop(by);
  }

  /** The caller's CANCEL arrived. */
  cancel(): void {
    this.#cancelled = true;
    this.#abort.abort(CALLER_CANCEL_REASON);
  }

  /** Rejects with Stopped as soon as the gateway ends the call: a step on a dead link never returns. */
  guard<T>(work: Promise<T>): Promise<T> {
    return Promise.race([
      work,
      this.stopping.then((by): never => {
        throw new Stopped(`call ended by ${by}`);
      }),
    ]);
  }
}
