/**
 * Every SIP transaction and dialog of this gateway on the current drachtio connection: the
 * callers' INVITEs not answered yet, our INVITEs to dealers not answered yet, the established
 * dialogs. When the connection drops, drachtio-server keeps all of them bound to the dead
 * connection and does nothing for them (no BYE, no CANCEL, no final answer: traces/
 * app-disconnect-mid-call.txt); what the gateway can still do is done after the reconnect
 * (`Orphans`). Calls in progress are ended at once by the call path, without waiting for that.
 */
import type { SrfDialog, SrfRequest, SrfResponse } from './srf-types.js';

export type PendingInvite = { req: SrfRequest; res: SrfResponse };

export type OrphanSet = {
  /** Callers still waiting for a final answer. */
  inbound: PendingInvite[];
  /** Our INVITEs still ringing. */
  outbound: SrfRequest[];
  dialogs: SrfDialog[];
  lostAt: number;
};

export class InFlight {
  #inbound = new Set<PendingInvite>();
  #outbound = new Set<SrfRequest>();
  #dialogs = new Set<SrfDialog>();
  #lost = false;
  /** Sends waiting for an answer: each is settled when the connection drops. */
  readonly #waiting = new Set<() => void>();

  /** True between a drop of the drachtio connection and the next connect. */
  get lost(): boolean {
    return this.#lost;
  }

  /**
   * `work`, or `onDrop` once the connection drops first (at once while it is down). drachtio-srf
   * settles nothing sent on a connection that closed: a BYE, a re-INVITE, a 200 waiting for its
   * confirmation would stay pending for ever, and the call with it. A set, not a promise every
   * send races: a promise that never resolves would keep every racer for the connection's life.
   */
  untilDropped<T>(work: Promise<T>, onDrop: T): Promise<T> {
    if (this.#lost) return Promise.resolve(onDrop);
    return new Promise<T>((resolve, reject) => {
      const dropped = () => resolve(onDrop);
      this.#waiting.add(dropped);
      work.then(
        (value) => {
          this.#waiting.delete(dropped);
          resolve(value);
        },
        (err: unknown) => {
          this.#waiting.delete(dropped);
          reject(err);
        },
      );
    });
  }

  inbound(invite: PendingInvite): () => void {
    return this.#track(this.#inbound, invite);
  }

  outbound(req: SrfRequest): () => void {
    return this.#track(this.#outbound, req);
  }

  dialog(dialog: SrfDialog): () => void {
    return this.#track(this.#dialogs, dialog);
  }

  /**
   * The connection dropped: hands over everything in flight (nothing of it can be sent on the
   * dead connection); the calls themselves are ended by the call registry.
   */
  drop(now: number): OrphanSet {
    const orphans = {
      inbound: [...this.#inbound],
      outbound: [...this.#outbound],
      dialogs: [...this.#dialogs],
      lostAt: now,
    };
    this.#inbound = new Set();
    this.#outbound = new Set();
    this.#dialogs = new Set();
    this.#lost = true;
    for (const dropped of this.#waiting) dropped();
    this.#waiting.clear();
    return orphans;
  }

  /** The connection is back: sends go out again. */
  connected(): void {
    this.#lost = false;
  }

  #track<T>(set: Set<T>, item: T): () => void {
    set.add(item);
    // the untrack function outlives the item (a call keeps it to its end): it lets go of it
    let held: T | undefined = item;
    return () => {
      // a later drop replaced the set: the item is an orphan now and stays with it
      if (held !== undefined) set.delete(held);
      held = undefined;
    };
  }
}
