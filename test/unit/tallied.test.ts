/**
 * The call path's counters, gauges and histograms kept as plain numbers until scraped: a scrape
 * shows exactly what prom-client's own metrics show after the same calls, counts made between
 * two scrapes are neither lost nor counted twice, and bad input is refused where it is given.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import t from 'tap';
import { TalliedCounter, TalliedGauge, TalliedHistogram } from '../../src/observability/tallied.js';

const BUCKETS = [0.005, 0.02, 0.1, 1, 30];
const VALUES = [0, 0.005, 0.0051, 0.02, 0.5, 1, 29.9, 30, 31, 1e6, -1];

/** The same calls on prom-client's metrics (`own`) and on the tallied ones. */
function both() {
  const own = new Registry();
  const tallied = new Registry();
  const labelNames = ['source', 'outcome'] as const;
  return {
    own,
    tallied,
    counters: [
      new Counter({ name: 'c_total', help: 'c', labelNames, registers: [own] }),
      new TalliedCounter({ name: 'c_total', help: 'c', labelNames, registers: [tallied] }),
    ] as const,
    plain: [
      new Counter({ name: 'p_total', help: 'p', registers: [own] }),
      new TalliedCounter({ name: 'p_total', help: 'p', registers: [tallied] }),
    ] as const,
    gauges: [
      new Gauge({ name: 'g', help: 'g', registers: [own] }),
      new TalliedGauge({ name: 'g', help: 'g', registers: [tallied] }),
    ] as const,
    histograms: [
      new Histogram({ name: 'h_seconds', help: 'h', buckets: BUCKETS, registers: [own] }),
      new TalliedHistogram({
        name: 'h_seconds',
        help: 'h',
        buckets: BUCKETS,
        registers: [tallied],
      }),
    ] as const,
  };
}

/** Each value of a registry's JSON as one line (key order aside). */
const lines = (metrics: { values: object[] }[]) =>
  metrics.flatMap((m) =>
    m.values.map((v) => {
      const { metricName, labels, value } = v as Record<string, unknown>;
      return `${metricName} ${JSON.stringify(labels)} ${value}`;
    }),
  );

t.test('a scrape shows what prom-client shows after the same calls', async (t) => {
  const m = both();
  t.equal(await m.tallied.metrics(), await m.own.metrics(), 'before any call');
  for (const c of m.counters) {
    c.inc({ source: 'web', outcome: 'answered' });
    c.inc({ source: 'web', outcome: 'answered' });
    c.inc({ source: 'print', outcome: 'busy' }, 3);
    c.inc({ source: 'web' });
  }
  for (const c of m.plain) c.inc();
  for (const g of m.gauges) {
    g.inc();
    g.inc();
    g.dec();
    g.set(7);
  }
  for (const h of m.histograms) for (const v of VALUES) h.observe(v);
  const first = await m.own.metrics();
  t.equal(await m.tallied.metrics(), first);
  t.match(first, /^c_total\{source="print",outcome="busy"\} 3$/m, 'the comparison sees counts');
  t.match(first, /^h_seconds_bucket\{le="0.005"\} 3$/m);

  // counts between scrapes are added once: the first scrape's sums are not given again
  for (const c of m.counters) c.inc({ source: 'web', outcome: 'answered' });
  for (const h of m.histograms) h.observe(0.01);
  for (const g of m.gauges) g.dec();
  const second = await m.own.metrics();
  t.equal(await m.tallied.metrics(), second);
  t.match(second, /^c_total\{source="web",outcome="answered"\} 3$/m);
  t.equal(await m.tallied.metrics(), second, 'a scrape with nothing new changes nothing');
  t.same(lines(await m.tallied.getMetricsAsJSON()), lines(await m.own.getMetricsAsJSON()), 'JSON');
});

t.test(
  'every label set is its own series: a missing label, values that would run together',
  async (t) => {
    const m = both();
    for (const c of m.counters) {
      c.inc({ source: 'web' });
      c.inc({ source: 'web', outcome: 'undefined' });
      // values that would run together if joined
      c.inc({ source: 'a1:b', outcome: 'c' });
      c.inc({ source: 'a', outcome: 'b1:c' });
      c.inc({ source: '-', outcome: '-' });
    }
    const text = await m.tallied.metrics();
    t.equal(text, await m.own.metrics());
    t.match(text, /^c_total\{source="web"\} 1$/m);
    t.match(text, /^c_total\{source="web",outcome="undefined"\} 1$/m);
    t.match(text, /^c_total\{source="a1:b",outcome="c"\} 1$/m);
    t.match(text, /^c_total\{source="a",outcome="b1:c"\} 1$/m);
  },
);

t.test('bad input is refused where it is given and leaves the counts as they were', async (t) => {
  const m = both();
  const [, counter] = m.counters;
  const [, histogram] = m.histograms;
  counter.inc({ source: 'web', outcome: 'answered' });
  histogram.observe(0.5);
  const before = await m.tallied.metrics();
  t.throws(
    () => counter.inc({ source: 'web', reason: 'x' } as never),
    /Added label "reason" is not included in initial labelset/,
  );
  t.throws(() => histogram.observe(Number.NaN), /Value is not a valid number: NaN/);
  t.throws(() => histogram.observe(Number.POSITIVE_INFINITY), /not a valid number/);
  t.equal(await m.tallied.metrics(), before);
});

t.test('a reset registry starts the histogram from zero', async (t) => {
  const m = both();
  for (const h of m.histograms) h.observe(2);
  m.own.resetMetrics();
  m.tallied.resetMetrics();
  for (const h of m.histograms) h.observe(0.01);
  t.equal(await m.tallied.metrics(), await m.own.metrics());
});
