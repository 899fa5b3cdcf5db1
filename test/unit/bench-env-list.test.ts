/**
 * `BENCH_AGAINST_ENV` of `bench/cps-ab`: variables for the other gateway only. A typo stops the
 * bench before anything starts, naming the variable and the item; nothing half-read is used.
 */
import t from 'tap';
import { envList } from '../../bench/cps-gateway.js';

t.test('items become variables, values kept whole (an = inside a value too)', async (t) => {
  t.same(envList('V', 'LOG_LEVEL=error, RECORD_LINGER_MS=0,REDIS_URL=redis://h:1/0?a=b'), {
    LOG_LEVEL: 'error',
    RECORD_LINGER_MS: '0',
    REDIS_URL: 'redis://h:1/0?a=b',
  });
  t.same(envList('V', 'EMPTY='), { EMPTY: '' }, 'an empty value sets the variable empty');
});

t.test('nothing given is no variables', async (t) => {
  t.same(envList('V', ''), {});
  t.same(envList('V', ' , '), {});
});

t.test('an item that is not NAME=value is refused with the variable and the item', async (t) => {
  t.throws(() => envList('BENCH_AGAINST_ENV', 'LOG_LEVEL=error,log_level=info'), {
    message: "BENCH_AGAINST_ENV: 'log_level=info' is not NAME=value (items separated by commas)",
  });
  t.throws(() => envList('BENCH_AGAINST_ENV', 'LOG_LEVEL'), /'LOG_LEVEL' is not NAME=value/);
  t.throws(() => envList('BENCH_AGAINST_ENV', '=error'), /'=error' is not NAME=value/);
});
