/**
 * The calls in progress, so a shutdown can wait for them and end the ones that outlast it. The
 * node has one; each drachtio-server connection has a view of it (`forServer`) holding the calls
 * that came through that server, so that losing the server ends those calls and no others.
 */
import type { CallSession } from './call-session.js';

export class ActiveCalls {
  readonly #calls = new Map<CallSession, Promise<unknown>>();
  readonly #node: ActiveCalls | undefined;

  constructor(node?: ActiveCalls) {
    this.#node = node;
  }

  /** A server's view: its own calls to end, tracked in the node's registry as well. */
  forServer(): ActiveCalls {
    return new ActiveCalls(this);
  }

  /** Calls in progress on this node, also in a server's view: the node's limits count them all. */
  get size(): number {
    return this.#node ? this.#node.size : this.#calls.size;
  }

  track<T>(session: CallSession, run: Promise<T>): Promise<T> {
    this.#calls.set(session, run);
    const tracked = run.finally(() => this.#calls.delete(session));
    return this.#node ? this.#node.track(session, tracked) : tracked;
  }

  /** The drachtio connection dropped: every call of this registry ends now (each writes its record). */
  signallingLost(): void {
    for (const session of this.#calls.keys()) session.signallingLost();
  }

  /** Waits up to `timeoutMs` for every call to end, then ends the rest and waits for them. */
  async drain(timeoutMs: number): Promise<{ ended: number; terminated: number }> {
    const all = () => Promise.allSettled([...this.#calls.values()]);
    const before = this.#calls.size;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const first = await Promise.race([all().then(() => 'done' as const), timeout]);
    clearTimeout(timer);
    const terminated = first === 'timeout' ? this.#calls.size : 0;
    for (const session of this.#calls.keys()) session.terminate();
    await all();
    return { ended: before - terminated, terminated };
  }
}
