/**
 * A quantile of a Prometheus histogram in a `/metrics` text, as `histogram_quantile` computes it:
 * linear within the bucket the rank falls into (the first bucket from 0). For a bench that reads
 * one process's own histogram without a Prometheus server.
 */
export function histogramQuantile(text: string, name: string, q: number): number {
  const buckets: { le: number; count: number }[] = [];
  const line = new RegExp(`^${name}_bucket\\{le="([^"]+)"\\} (\\S+)$`, 'gm');
  for (const [, le, count] of text.matchAll(line))
    buckets.push({
      le: le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le),
      count: Number(count),
    });
  buckets.sort((a, b) => a.le - b.le);
  const total = buckets.at(-1)?.count ?? 0;
  if (total === 0) return Number.NaN;
  const rank = q * total;
  let below = { le: 0, count: 0 };
  for (const bucket of buckets) {
    if (bucket.count >= rank) {
      // past the last finite bound there is nothing to interpolate to: its bound, as Prometheus
      if (bucket.le === Number.POSITIVE_INFINITY) return below.le;
      const within = bucket.count - below.count;
      return below.le + (bucket.le - below.le) * (within ? (rank - below.count) / within : 0);
    }
    below = bucket;
  }
  return Number.NaN;
}
