import t from 'tap';
import { ConfigError, ENV_VARS, loadConfig } from '../../src/config/load.js';

t.test('defaults from config/default.json', async (t) => {
  const c = loadConfig({});
  t.match(c, {
    dialplanDir: 'dialplans',
    defaultCountry: 'DE',
    drachtio: { port: 9022 },
    httpPort: 9464,
  });
  t.ok(Object.isFrozen(c) && Object.isFrozen(c.drachtio), 'frozen');
});

t.test('every documented variable overrides its setting', async (t) => {
  const c = loadConfig({
    DIALPLAN_DIR: '/etc/calltrack/dialplans',
    DEFAULT_COUNTRY: 'AT',
    DRACHTIO_HOST: 'drachtio',
    DRACHTIO_PORT: '9023',
    DRACHTIO_SECRET: 's3cret',
    REDIS_URL: 'redis://redis:6379/1',
    HTTP_PORT: '8080',
    LOG_LEVEL: 'debug',
    OUTBOUND_TRUNK: 'sip:trunk.example.net:5060',
    RELOAD_DEBOUNCE_MS: '100',
    RELOAD_WORKER_THRESHOLD_BYTES: '1000',
  });
  t.same(c, {
    dialplanDir: '/etc/calltrack/dialplans',
    defaultCountry: 'AT',
    drachtio: { host: 'drachtio', port: 9023, secret: 's3cret' },
    redisUrl: 'redis://redis:6379/1',
    httpPort: 8080,
    logLevel: 'debug',
    outboundTrunk: 'sip:trunk.example.net:5060',
    reload: { debounceMs: 100, workerThresholdBytes: 1000 },
  });
  t.equal(Object.keys(ENV_VARS).length, 11);
});

t.test('every bad value is listed at once, naming the variable', async (t) => {
  const err = t.throws(() =>
    loadConfig({
      DRACHTIO_PORT: 'ninety',
      HTTP_PORT: '70000',
      LOG_LEVEL: 'loud',
      REDIS_URL: 'localhost:6379',
      DEFAULT_COUNTRY: 'CH',
      OUTBOUND_TRUNK: 'trunk',
    }),
  ) as ConfigError;
  t.ok(err instanceof ConfigError);
  t.equal(err.problems.length, 6, err.message);
  for (const name of [
    'DRACHTIO_PORT',
    'HTTP_PORT',
    'LOG_LEVEL',
    'REDIS_URL',
    'DEFAULT_COUNTRY',
    'OUTBOUND_TRUNK',
  ]) {
    t.ok(
      err.problems.some((p) => p.startsWith(`${name} (`)),
      `${name} is named`,
    );
  }
  t.match(err.message, /DRACHTIO_PORT \(drachtio\.port\): 'port' must be an integer, not string/);
});
