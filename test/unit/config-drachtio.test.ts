/** DRACHTIO (a list of drachtio-servers) and its one-server form DRACHTIO_HOST/DRACHTIO_PORT. */
import t from 'tap';
import { ConfigError, loadConfig } from '../../src/config/load.js';

const problems = (env: Record<string, string>): string[] => {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems];
    throw err;
  }
  return [];
};

t.test('the one-server form: the defaults, or DRACHTIO_HOST/DRACHTIO_PORT', async (t) => {
  t.same(loadConfig({}).drachtioServers, [{ host: '127.0.0.1', port: 9022, secret: 'cymru' }]);
  t.same(
    loadConfig({ DRACHTIO_HOST: 'sip1', DRACHTIO_PORT: '9023', DRACHTIO_SECRET: 's' })
      .drachtioServers,
    [{ host: 'sip1', port: 9023, secret: 's' }],
  );
});

t.test('DRACHTIO: every entry in order, each with DRACHTIO_SECRET', async (t) => {
  const c = loadConfig({
    DRACHTIO: 'sip1.example.net:9022, 10.0.0.2:9023,[fd00::7]:9022',
    DRACHTIO_SECRET: 'shared',
  });
  t.same(c.drachtioServers, [
    { host: 'sip1.example.net', port: 9022, secret: 'shared' },
    { host: '10.0.0.2', port: 9023, secret: 'shared' },
    { host: 'fd00::7', port: 9022, secret: 'shared' },
  ]);
  t.ok(Object.isFrozen(c.drachtioServers[0]), 'frozen');
  t.same(loadConfig({ DRACHTIO: 'one:9022' }).drachtioServers, [
    { host: 'one', port: 9022, secret: 'cymru' },
  ]);
  t.same(loadConfig({ DRACHTIO: '' }).drachtioServers[0]?.host, '127.0.0.1', 'empty: unset');
});

t.test('both forms at once are refused, naming what was set', async (t) => {
  t.same(problems({ DRACHTIO: 'a:9022', DRACHTIO_HOST: 'b' }), [
    'DRACHTIO: set together with DRACHTIO_HOST; use DRACHTIO for one or more servers, or DRACHTIO_HOST/DRACHTIO_PORT for one, not both',
  ]);
  t.match(problems({ DRACHTIO: 'a:9022', DRACHTIO_HOST: 'b', DRACHTIO_PORT: '9022' }), [
    /set together with DRACHTIO_HOST and DRACHTIO_PORT/,
  ]);
});

t.test('an empty list, a bad entry, a bad port, a duplicate: each named', async (t) => {
  t.same(problems({ DRACHTIO: ' , ' }), [
    'DRACHTIO: the list is empty; name at least one drachtio-server as host:port',
  ]);
  t.same(
    problems({
      DRACHTIO: 'ok:9022,nohost,a:0,b:65536,c:90x2,d:,e:9022:extra,OK:9022,fd00::1:9022',
    }),
    [
      "DRACHTIO: 'nohost' is not host:port (IPv6 as [address]:port)",
      "DRACHTIO: 'a:0' has a bad port '0' (1-65535)",
      "DRACHTIO: 'b:65536' has a bad port '65536' (1-65535)",
      "DRACHTIO: 'c:90x2' has a bad port '90x2' (1-65535)",
      "DRACHTIO: 'd:' has a bad port '' (1-65535)",
      "DRACHTIO: 'e:9022:extra' is not host:port (IPv6 as [address]:port)",
      "DRACHTIO: 'OK:9022' is listed twice",
      "DRACHTIO: 'fd00::1:9022' is not host:port (IPv6 as [address]:port)",
    ],
  );
  t.same(problems({ DRACHTIO: '[::1]:9022,[::1]:9022' }), [
    "DRACHTIO: '[::1]:9022' is listed twice",
  ]);
});

t.test('listed with the other problems, not instead of them', async (t) => {
  const found = problems({ DRACHTIO: 'a:x', DEFAULT_COUNTRY: 'FR' });
  t.equal(found.length, 2);
  t.match(found.join('\n'), /DEFAULT_COUNTRY/);
  t.match(found.join('\n'), /DRACHTIO: 'a:x' has a bad port/);
});
