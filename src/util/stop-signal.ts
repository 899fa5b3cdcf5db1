/**
 * What the call path needs of an abort signal, and a controller that makes one for a hundredth of
 * the CPU: Node's AbortController builds its signal through EventTarget (a new prototype, option
 * validation, a listener record per listener), ~5 µs for a call's controller and one dial's
 * listener, against ~0.1 µs here (issue 16, CPU per call). A DOM AbortSignal is a StopSignal too.
 */
export interface StopSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/** Aborts once (the first reason stays); every listener runs once, in the order added. */
export class StopController {
  readonly signal: StopSignal;
  readonly #signal: LiteSignal;

  constructor() {
    this.#signal = new LiteSignal();
    this.signal = this.#signal;
  }

  abort(reason?: unknown): void {
    this.#signal.abort(reason);
  }
}

class LiteSignal implements StopSignal {
  aborted = false;
  reason: unknown = undefined;
  #listeners: Set<() => void> | undefined;

  addEventListener(_type: 'abort', listener: () => void): void {
    // a listener added after the abort never runs, as with an AbortSignal
    if (this.aborted) return;
    this.#listeners ??= new Set();
    this.#listeners.add(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    this.#listeners?.delete(listener);
  }

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const listeners = this.#listeners;
    this.#listeners = undefined;
    // one that throws must not keep the others from stopping their steps
    if (listeners)
      for (const listener of listeners)
        try {
          listener();
        } catch (err) {
          queueMicrotask(() => {
            throw err;
          });
        }
  }
}
