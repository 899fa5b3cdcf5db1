/**
 * The quantile `bench/cps` reads from the gateway's dial-delay histogram, computed as Prometheus's
 * histogram_quantile: linear within the bucket, the last finite bound past it, NaN when empty.
 */
import t from 'tap';
import { histogramQuantile } from '../../bench/histogram-quantile.js';

const metrics = `# TYPE d histogram
d_bucket{le="0.002"} 90
d_bucket{le="+Inf"} 100
d_bucket{le="0.001"} 50
d_sum 0.2
d_count 100
other_bucket{le="1"} 7
`;

t.test('linear within the bucket the rank falls into', async (t) => {
  t.equal(histogramQuantile(metrics, 'd', 0.5), 0.001, 'rank 50: the top of the first bucket');
  t.equal(histogramQuantile(metrics, 'd', 0.25), 0.0005, 'the first bucket starts at 0');
  t.equal(histogramQuantile(metrics, 'd', 0.7), 0.0015, 'rank 70: halfway through 50..90');
  t.equal(histogramQuantile(metrics, 'd', 0.99), 0.002, 'in +Inf: the last finite bound');
});

t.test('nothing observed, or no such histogram: NaN, never a number to print', async (t) => {
  t.ok(Number.isNaN(histogramQuantile('d_bucket{le="+Inf"} 0\n', 'd', 0.5)));
  t.ok(Number.isNaN(histogramQuantile(metrics, 'missing', 0.5)));
});
