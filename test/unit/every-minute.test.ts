import t from 'tap';
import { EveryMinute } from '../../src/observability/every-minute.js';

t.test('speaks at the first tick, then once a minute with the count since', async (t) => {
  const once = new EveryMinute();
  t.equal(once.tick(0), 1, 'the first one is told at once');
  t.equal(once.tick(1000), undefined, 'within the minute: counted, not told');
  t.equal(once.tick(59_999), undefined);
  t.equal(once.tick(60_000), 3, 'a minute on: the three since the last time');
  t.equal(once.tick(60_001), undefined);
  t.equal(once.tick(200_000), 2, 'a quiet spell does not lose the one counted before it');
});
