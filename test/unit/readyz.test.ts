import t from 'tap';
import { type Readiness, readyzBody, withoutCredentials } from '../../src/admin/http.js';

const r: Readiness = {
  ready: false,
  checks: { drachtio: false, dialplans: true },
  detail: { drachtio: 'drachtio.internal:9022' },
};

t.test('/readyz shows the checks by name; the addresses only when asked for', async (t) => {
  t.same(readyzBody(r, false), { status: 'not ready', drachtio: false, dialplans: true });
  t.same(readyzBody(r, true), {
    status: 'not ready',
    drachtio: false,
    dialplans: true,
    detail: { drachtio: 'drachtio.internal:9022' },
  });
});

t.test('a Redis URL in the detail keeps its address, never its password', async (t) => {
  t.equal(
    withoutCredentials('redis://:s3cret@redis.internal:6379/1'),
    'redis://redis.internal:6379/1',
  );
  t.equal(withoutCredentials('rediss://gw:s3cret@10.0.0.5:6380'), 'rediss://10.0.0.5:6380');
  t.equal(withoutCredentials('redis://127.0.0.1:6379'), 'redis://127.0.0.1:6379');
});
