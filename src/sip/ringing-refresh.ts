/**
 * The callers still waiting for their final answer, each given its last 18x again once
 * `everyMs` have passed since the one before (inbound-leg.ts says why). One timer serves them
 * all, a tenth of `everyMs` apart, and runs only while someone waits: a timer per call is a
 * Timeout made and cleared for every call, nearly all of which are answered long before it
 * would fire (issue 16, CPU per call).
 */
export interface Ringing {
  /** Sends the last 18x again. */
  refresh(): void;
}

export class RingingRefresh {
  /** Who waits, and when its last 18x went (performance.now()). */
  readonly #waiting = new Map<Ringing, number>();
  #timer: NodeJS.Timeout | undefined;

  /** `everyMs` 0: never (RINGING_REFRESH_S=0). */
  constructor(readonly everyMs: number) {}

  /** An 18x went to this caller now. */
  sent(leg: Ringing): void {
    if (this.everyMs <= 0) return;
    this.#waiting.set(leg, performance.now());
    if (!this.#timer) {
      this.#timer = setInterval(() => this.#sweep(), Math.max(1, this.everyMs / 10));
      // a process that is done must not wait for a caller's next refresh
      this.#timer.unref();
    }
  }

  /** The caller has its final answer, or is gone. */
  done(leg: Ringing): void {
    this.#waiting.delete(leg);
  }

  #sweep(): void {
    if (this.#waiting.size === 0) {
      clearInterval(this.#timer);
      this.#timer = undefined;
      return;
    }
    const due = performance.now() - this.everyMs;
    // a refresh sets its leg's time anew; Map.set on a key it has keeps the order
    for (const [leg, at] of this.#waiting) if (at <= due) leg.refresh();
  }
}
