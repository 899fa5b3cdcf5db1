/**
 * The three forms of a Redis URL, the hash slot check, and what config load says about a bad URL,
 * a negative RECORD_MIN_REPLICAS and record/traffic streams a cluster could not write together.
 */
import t from 'tap';
import { ConfigError, loadConfig } from '../../src/config/load.js';
import { crossSlotProblem, recordKeys } from '../../src/records/record-keys.js';
import { hashTag, keySlot } from '../../src/redis/slot.js';
import { describeTarget, parseRedisUrl, RedisUrlError } from '../../src/redis/url.js';

t.test('plain redis:// and rediss:// pass through unchanged', async (t) => {
  t.same(parseRedisUrl('redis://gw:pw@redis:6379/1'), {
    kind: 'single',
    url: 'redis://gw:pw@redis:6379/1',
  });
  t.equal(parseRedisUrl('rediss://r:6380').kind, 'single');
  t.equal(describeTarget(parseRedisUrl('redis://gw:secret@r:6379')), 'redis://gw:***@r:6379');
});

t.test('a cluster seed list: every host with its port, credentials decoded', async (t) => {
  t.same(parseRedisUrl('redis-cluster://gw:p%40ss@10.0.0.1:7000,10.0.0.2:7001,[::1]:7002'), {
    kind: 'cluster',
    nodes: [
      { host: '10.0.0.1', port: 7000 },
      { host: '10.0.0.2', port: 7001 },
      { host: '::1', port: 7002 },
    ],
    tls: false,
    username: 'gw',
    password: 'p@ss',
  });
  t.same(parseRedisUrl('rediss-cluster://h:1').kind, 'cluster');
  t.equal((parseRedisUrl('rediss-cluster://h:1') as { tls: boolean }).tls, true);
  t.equal(
    describeTarget(parseRedisUrl('redis-cluster://gw:secret@a:1,b:2')),
    'Redis Cluster a:1,b:2',
  );
});

t.test('Sentinel: hosts, master name, the Sentinels own credentials in the query', async (t) => {
  t.same(
    parseRedisUrl(
      'redis-sentinel://gw:pw@s1:26379,s2:26380/calls-master?sentinelPassword=sp&sentinelUsername=su&db=2',
    ),
    {
      kind: 'sentinel',
      sentinels: [
        { host: 's1', port: 26379 },
        { host: 's2', port: 26380 },
      ],
      name: 'calls-master',
      tls: false,
      username: 'gw',
      password: 'pw',
      db: 2,
      sentinelUsername: 'su',
      sentinelPassword: 'sp',
    },
  );
  const described = describeTarget(parseRedisUrl('redis-sentinel://gw:pw@s1:26379/m'));
  t.equal(described, "Redis Sentinel s1:26379 master 'm'");
});

t.test('bad URLs are refused, saying what is wrong', async (t) => {
  const cases: [string, RegExp][] = [
    ['localhost:6379', /not a Redis URL/],
    ['redis-cluster://', /no host/],
    ['redis-cluster://a:7000,b', /'b' is not host:port/],
    ['redis-cluster://a:70000', /'a:70000' is not host:port/],
    ['redis-cluster://a:7000/0', /takes no path/],
    ['redis-sentinel://s1:26379', /names the master/],
    ['redis-sentinel://s1:26379/m?password=x', /unknown parameter 'password'/],
    ['redis-sentinel://s1:26379/m?db=one', /db 'one' is not a number/],
    ['redis://a:1,b:2', /several hosts|not a valid URL/],
  ];
  for (const [url, why] of cases) t.throws(() => parseRedisUrl(url), why, url);
  t.throws(() => parseRedisUrl('redis-cluster://a'), RedisUrlError);
});

t.test('hash slots as CLUSTER KEYSLOT gives them', async (t) => {
  // from redis-cli CLUSTER KEYSLOT on a Redis 7.0 cluster node
  t.equal(keySlot('foo'), 12182);
  t.equal(keySlot('calltrack:{records}:calls'), keySlot('records'));
  t.equal(keySlot('records'), 15835);
  t.equal(keySlot('calltrack:{analytics}:last-call'), 14118);
  t.equal(keySlot('calltrack:{dialplan}:current'), 2880);
  t.equal(keySlot('calltrack:calls'), 8069);
  t.equal(keySlot('calltrack:traffic'), 16278);
  t.equal(hashTag('a{}b{c}'), 'a{}b{c}', 'an empty first tag: the whole key');
  t.equal(hashTag('a{b}{c}'), 'b');
  const keys = recordKeys('calltrack:{records}:calls');
  t.equal(keySlot(keys.marks), keySlot(keys.stream), 'the marks inherit the tag');
});

t.test('streams in two slots: refused only where a cluster would refuse them', async (t) => {
  t.equal(crossSlotProblem('calltrack:{records}:calls', 'calltrack:{records}:traffic'), undefined);
  const env = {
    REDIS_URL: 'redis-cluster://a:7000,b:7001',
    TRAFFIC_RECORDS: 'on',
    RECORD_STREAM: 'calltrack:calls',
    TRAFFIC_STREAM: 'calltrack:traffic',
  };
  const err = t.throws(() => loadConfig(env)) as ConfigError;
  t.ok(err instanceof ConfigError);
  t.match(err.message, /RECORD_STREAM 'calltrack:calls' \(slot 8069\) and TRAFFIC_STREAM/);
  t.match(err.message, /same hash tag, e\.g\. RECORD_STREAM=calltrack:\{records\}:calls/);
  t.equal(loadConfig({ ...env, TRAFFIC_RECORDS: 'off' }).traffic.records, 'off', 'no traffic');
  t.equal(
    loadConfig({ ...env, REDIS_URL: 'redis://r:6379' }).records.stream,
    'calltrack:calls',
    'one Redis has no slots',
  );
  t.equal(loadConfig({}).records.stream, 'calltrack:{records}:calls');
  t.equal(loadConfig({}).traffic.stream, 'calltrack:{records}:traffic');
});

t.test('config load names each bad Redis URL and a bad RECORD_MIN_REPLICAS', async (t) => {
  const err = t.throws(() =>
    loadConfig({
      REDIS_URL: 'redis-cluster://a:7000,b',
      ADMIN_REDIS_URL: 'redis-sentinel://s:26379',
      BILLING_REDIS_URL: 'http://billing',
      RECORD_MIN_REPLICAS: '-1',
    }),
  ) as ConfigError;
  t.equal(err.problems.length, 4, err.message);
  t.match(err.message, /REDIS_URL: 'b' is not host:port/);
  t.match(err.message, /ADMIN_REDIS_URL: a redis-sentinel:\/\/ URL names the master/);
  t.match(err.message, /BILLING_REDIS_URL: not a Redis URL/);
  t.match(
    err.message,
    /RECORD_MIN_REPLICAS \(records\.minReplicas\): 'minReplicas' must be a whole number >= 0/,
  );
  const half = t.throws(() => loadConfig({ RECORD_MIN_REPLICAS: '1.5' })) as ConfigError;
  t.match(half.message, /RECORD_MIN_REPLICAS .* must be an integer/);
  t.equal(loadConfig({}).records.minReplicas, 0, 'default: no WAIT');
  t.equal(loadConfig({ RECORD_MIN_REPLICAS: '2' }).records.minReplicas, 2);
});
