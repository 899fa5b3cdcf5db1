// SIP timer values (RFC 3261 17.1/17.2) and a registry of live timers, so close() leaves nothing
// running. T1/T2 are configurable so timeout tests can run in seconds instead of half a minute.

export interface TimerValues {
  /** RTT estimate; first retransmit interval. Default 500 ms. */
  t1: number;
  /** Retransmit interval cap for non-INVITE requests and INVITE responses. Default 4 s. */
  t2: number;
}

/** Timers B, F, H and J: 64×T1. */
export function transactionTimeout(t: TimerValues): number {
  return 64 * t.t1;
}

/**
 * sofia's timer D, which also ends an INVITE once its CANCEL is on the wire: at least 32 s, and
 * never less than 64×T1 (nta.c agent_create, `timer_d = 32000`).
 */
export function timerD(t: TimerValues): number {
  return Math.max(32_000, transactionTimeout(t));
}

export type Cancel = () => void;

export class TimerRegistry {
  private readonly live = new Set<NodeJS.Timeout>();

  once(ms: number, fn: () => void): Cancel {
    const handle = setTimeout(() => {
      this.live.delete(handle);
      fn();
    }, ms);
    this.live.add(handle);
    return () => {
      clearTimeout(handle);
      this.live.delete(handle);
    };
  }

  /**
   * Calls `fn` after `first` ms, then again with the interval doubled each time, capped at `cap`
   * when given (timers A, E, G). `setCap` lets a transaction switch to T2 after a provisional.
   */
  backoff(first: number, cap: number | undefined, fn: () => void): Backoff {
    let interval = first;
    let limit = cap;
    let cancel: Cancel = () => {};
    const schedule = () => {
      cancel = this.once(interval, () => {
        fn();
        interval = limit === undefined ? interval * 2 : Math.min(interval * 2, limit);
        schedule();
      });
    };
    schedule();
    return {
      stop: () => cancel(),
      setCap: (value: number) => {
        limit = value;
        interval = Math.min(interval, value);
      },
    };
  }

  clearAll(): void {
    for (const handle of this.live) clearTimeout(handle);
    this.live.clear();
  }
}

export interface Backoff {
  stop(): void;
  setCap(value: number): void;
}
