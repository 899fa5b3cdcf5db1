/**
 * What `bench/soak` reads from the gateway's /metrics every few seconds, and the arithmetic on
 * it. The gateway registers prom-client's default metrics (prefix `calltrack_`), so RSS, open
 * file descriptors, heap used and event-loop delay come from the process itself; nothing in the
 * gateway was added for the bench.
 */

export interface Sample {
  /** Seconds since the first call was placed (negative while idle before it). */
  t: number;
  rssBytes: number;
  openFds: number;
  heapUsedBytes: number;
  activeCalls: number;
  /**
   * p99 of the event-loop delay since the previous scrape: prom-client resets its
   * `monitorEventLoopDelay` histogram on every collect, and the bench is the only scraper.
   */
  eventLoopP99Ms: number;
}

function metric(text: string, name: string): number {
  const m = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text);
  if (!m) throw new Error(`gateway /metrics has no ${name}`);
  return Number(m[1]);
}

export function parseSample(text: string, t: number): Sample {
  return {
    t,
    rssBytes: metric(text, 'calltrack_process_resident_memory_bytes'),
    openFds: metric(text, 'calltrack_process_open_fds'),
    heapUsedBytes: metric(text, 'calltrack_nodejs_heap_size_used_bytes'),
    activeCalls: metric(text, 'calltrack_active_calls'),
    eventLoopP99Ms: metric(text, 'calltrack_nodejs_eventloop_lag_p99_seconds') * 1000,
  };
}

export async function scrape(httpPort: number, t: number): Promise<Sample> {
  const res = await fetch(`http://127.0.0.1:${httpPort}/metrics`);
  return parseSample(await res.text(), t);
}

export function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/** Least-squares slope of y over x; NaN for fewer than two distinct x. */
export function slope(points: readonly { x: number; y: number }[]): number {
  const mx = mean(points.map((p) => p.x));
  const my = mean(points.map((p) => p.y));
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.x - mx) * (p.y - my);
    den += (p.x - mx) ** 2;
  }
  return den === 0 ? Number.NaN : num / den;
}
