/** The calls in progress, so a shutdown can wait for them and end the ones that outlast it. */
import type { CallSession } from './call-session.js';

export class ActiveCalls {
  readonly #calls = new Map<CallSession, Promise<unknown>>();

  get size(): number {
    return this.#calls.size;
  }

  track<T>(session: CallSession, run: Promise<T>): Promise<T> {
    this.#calls.set(session, run);
    return run.finally(() => this.#calls.delete(session));
  }

  /** The drachtio connection dropped: every call ends now (each writes its record). */
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
