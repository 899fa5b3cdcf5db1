import t from 'tap';
import { ConfigError, ENV_VARS, hoursClock, loadConfig } from '../../src/config/load.js';

t.test('defaults from config/default.json', async (t) => {
  const c = loadConfig({});
  t.match(c, {
    dialplanDir: 'dialplans',
    defaultCountry: 'DE',
    drachtio: { port: 9022 },
    httpPort: 9464,
    httpHost: '127.0.0.1',
    readyzDetail: 'off',
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
    HTTP_HOST: '0.0.0.0',
    READYZ_DETAIL: 'on',
    ADMIN_HTTP_PORT: '9465',
    ADMIN_HTTP_HOST: '10.0.0.5',
    ADMIN_TOKENS_FILE: '/etc/calltrack/admin-tokens.yaml',
    ADMIN_TLS_CERT: '/etc/calltrack/admin.crt',
    ADMIN_TLS_KEY: '/etc/calltrack/admin.key',
    ADMIN_REDIS_URL: 'redis://admin-api:pw@redis:6379/1',
    AUDIT_STREAM: 'audit',
    AUDIT_RETENTION_DAYS: '90',
    LOG_LEVEL: 'debug',
    LOG_FORMAT: 'pretty',
    PEER_REMINDER_SECONDS: '5',
    OUTBOUND_TRUNK: 'sips:trunk.example.net:5061;transport=tls',
    TRUNK_AUTH_USERNAME: 'gw-7',
    TRUNK_AUTH_PASSWORD: 'pa55',
    TRUNK_ASSERTED_IDENTITY: '+493025550999',
    MAX_REDIRECTS: '1',
    RELOAD_DEBOUNCE_MS: '100',
    RELOAD_WORKER_THRESHOLD_BYTES: '1000',
    DIALPLAN_SOURCE: 'redis',
    DIALPLAN_PUBLISH: 'off',
    DIALPLAN_CACHE_DIR: '/var/cache/calltrack/dialplans',
    DIALPLAN_POLL_MS: '5000',
    NODE_ID: 'gw-1',
    CARRIERS_FILE: '/etc/calltrack/carriers.yaml',
    UNKNOWN_SOURCES: 'admit',
    SCANNER_USER_AGENTS: 'friendly-scanner,sipvicious',
    RATE_LIMIT_CPS: '2.5',
    RATE_LIMIT_BURST: '5',
    RATE_LIMIT_SOURCES: '5000',
    MAX_CALLS_PER_SECOND: '150.5',
    MAX_CONCURRENT_CALLS: '900',
    DRAIN_TIMEOUT_MS: '1000',
    RETRY_AFTER_SECONDS: '10',
    DRAIN_ROUTES: 'withdraw',
    MAX_CALL_DURATION_S: '7200',
    DIALOG_KEEPALIVE_S: '60',
    RINGING_REFRESH_S: '45',
    TRANSFER_RING_TIMEOUT_S: '20',
    HOURS_CLOCK_START: '2026-12-06T03:00:00+01:00',
    RECORD_SINK: 'file:/tmp/records.jsonl',
    RECORD_STREAM: 'calls',
    RECORD_RETENTION_DAYS: '30',
    RECORD_STREAM_MAXLEN: '5000',
    RECORD_SPOOL_DIR: '/var/spool/calltrack',
    RECORD_MEMORY_LIMIT: '100',
    RECORD_SPOOL_AFTER_MS: '200',
    RECORD_SPOOL_MAX_BYTES: '1048576',
    CALLER_PSEUDONYM_SECRET: 'k',
    RECORD_MIN_REPLICAS: '1',
    JOURNAL_HEARTBEAT_SECONDS: '2',
    JOURNAL_NODE_LOST_SECONDS: '10',
    TRAFFIC_RECORDS: 'on',
    TRAFFIC_STREAM: 'traffic',
    TRAFFIC_RETENTION_DAYS: '30',
    TRAFFIC_CALLER_DISPLAY: 'none',
    BILLING_REDIS_URL: 'redis://billing:pw@redis:6379/1',
    FREESWITCH: 'fs1:8021:ClueCon, 10.0.0.2:8022:s:e:c',
    FREESWITCH_LISTEN_ADDRESS: '10.0.0.9',
    FREESWITCH_CONNECT_TIMEOUT_MS: '500',
    MEDIA_ANCHOR_TIMEOUT_MS: '1500',
    MEDIA_ANCHOR_MAX_PENDING: '8',
    RECORDING_DIR: '/var/lib/calltrack/recordings',
    RECORDING_NOTICE_FILE: 'notice/at.wav',
    RECORDING_PURGE_INTERVAL_MS: '60000',
    VOICEMAIL_DIR: '/var/spool/calltrack/voicemail',
    VOICEMAIL_GREETING_FILE: 'vm/at.wav',
    VOICEMAIL_MAX_SECONDS: '60',
    SMTP_URL: 'smtp://gw:pw@mail.example.net:587',
    VOICEMAIL_FROM: 'calltrack <vm@example.net>',
    SMTP_TIMEOUT_MS: '5000',
    VOICEMAIL_RETRY_MS: '30000',
    VOICEMAIL_RETRY_MAX_MS: '900000',
  });
  t.same(c, {
    dialplanDir: '/etc/calltrack/dialplans',
    defaultCountry: 'AT',
    drachtio: { host: 'drachtio', port: 9023, secret: 's3cret' },
    drachtioServers: [{ host: 'drachtio', port: 9023, secret: 's3cret' }],
    redisUrl: 'redis://redis:6379/1',
    httpPort: 8080,
    httpHost: '0.0.0.0',
    readyzDetail: 'on',
    admin: {
      httpPort: 9465,
      httpHost: '10.0.0.5',
      tokensFile: '/etc/calltrack/admin-tokens.yaml',
      tlsCert: '/etc/calltrack/admin.crt',
      tlsKey: '/etc/calltrack/admin.key',
      redisUrl: 'redis://admin-api:pw@redis:6379/1',
    },
    audit: { stream: 'audit', retentionDays: 90 },
    logLevel: 'debug',
    logFormat: 'pretty',
    peerReminderSeconds: 5,
    outboundTrunk: 'sips:trunk.example.net:5061;transport=tls',
    trunk: {
      authUsername: 'gw-7',
      authPassword: 'pa55',
      authPasswordFile: '',
      assertedIdentity: '+493025550999',
    },
    resolvedTrunk: {
      route: { scheme: 'sips', hostPort: 'trunk.example.net:5061', transport: 'tls' },
      auth: { username: 'gw-7', password: 'pa55' },
      assertedIdentity: '+493025550999',
    },
    maxRedirects: 1,
    reload: { debounceMs: 100, workerThresholdBytes: 1000 },
    distribution: {
      source: 'redis',
      publish: 'off',
      cacheDir: '/var/cache/calltrack/dialplans',
      pollMs: 5000,
    },
    nodeId: 'gw-1',
    carriersFile: '/etc/calltrack/carriers.yaml',
    unknownSources: 'admit',
    scannerUserAgents: ['friendly-scanner', 'sipvicious'],
    rateLimit: { callsPerSecond: 2.5, burst: 5, sources: 5000 },
    overload: { maxCallsPerSecond: 150.5, maxConcurrentCalls: 900 },
    drainTimeoutMs: 1000,
    drainRoutes: 'withdraw',
    retryAfterSeconds: 10,
    maxCallDurationSeconds: 7200,
    dialogKeepaliveSeconds: 60,
    ringingRefreshSeconds: 45,
    transferRingTimeoutSeconds: 20,
    hoursClockStart: '2026-12-06T03:00:00+01:00',
    recordSink: 'file:/tmp/records.jsonl',
    records: {
      stream: 'calls',
      retentionDays: 30,
      maxLength: 5000,
      spoolDir: '/var/spool/calltrack',
      memoryLimit: 100,
      spoolAfterMs: 200,
      spoolMaxBytes: 1048576,
      pseudonymSecret: 'k',
      minReplicas: 1,
      journalHeartbeatSeconds: 2,
      journalNodeLostSeconds: 10,
    },
    traffic: {
      records: 'on',
      stream: 'traffic',
      retentionDays: 30,
      callerDisplay: 'none',
      billingRedisUrl: 'redis://billing:pw@redis:6379/1',
    },
    media: {
      servers: ['fs1:8021:ClueCon', '10.0.0.2:8022:s:e:c'],
      listenAddress: '10.0.0.9',
      connectTimeoutMs: 500,
      anchorTimeoutMs: 1500,
      maxPendingAnchors: 8,
    },
    recordings: {
      dir: '/var/lib/calltrack/recordings',
      noticeFile: 'notice/at.wav',
      purgeIntervalMs: 60000,
    },
    voicemail: {
      dir: '/var/spool/calltrack/voicemail',
      greetingFile: 'vm/at.wav',
      maxSeconds: 60,
      smtpUrl: 'smtp://gw:pw@mail.example.net:587',
      from: 'calltrack <vm@example.net>',
      smtpTimeoutMs: 5000,
      retryMs: 30000,
      retryMaxMs: 900000,
    },
  });
  // TRUNK_AUTH_PASSWORD_FILE excludes TRUNK_AUTH_PASSWORD: covered in the trunk tests below
  // DRACHTIO excludes DRACHTIO_HOST/DRACHTIO_PORT: covered in config-drachtio.test.ts
  t.equal(Object.keys(ENV_VARS).length, 83, 'every variable is covered here');
});

t.test(
  'dialplans: from the folder by default, unpublished, cached next to the spool',
  async (t) => {
    t.same(loadConfig({}).distribution, {
      source: 'files',
      publish: 'off',
      cacheDir: 'dialplan-cache',
      pollMs: 30000,
    });
    t.equal(
      loadConfig({ DIALPLAN_PUBLISH: 'on', REDIS_URL: 'redis://r:6379' }).distribution.publish,
      'on',
    );
  },
);

t.test(
  'call journal: beats every 5 s, lost after 30 s; a bound under two beats is refused',
  async (t) => {
    const { journalHeartbeatSeconds, journalNodeLostSeconds } = loadConfig({}).records;
    t.same([journalHeartbeatSeconds, journalNodeLostSeconds], [5, 30]);
    const refused = (env: Record<string, string>) =>
      (t.throws(() => loadConfig(env)) as ConfigError).problems;
    t.same(refused({ JOURNAL_HEARTBEAT_SECONDS: '10', JOURNAL_NODE_LOST_SECONDS: '15' }), [
      'JOURNAL_NODE_LOST_SECONDS: 15 must be at least twice JOURNAL_HEARTBEAT_SECONDS (10), so a gateway between two heartbeats is never taken for lost',
    ]);
    t.match(refused({ JOURNAL_HEARTBEAT_SECONDS: '0' }).join('\n'), /JOURNAL_HEARTBEAT_SECONDS/);
    t.equal(loadConfig({ JOURNAL_NODE_LOST_SECONDS: '10' }).records.journalNodeLostSeconds, 10);
  },
);

t.test(
  'DRAIN_ROUTES: keep by default; anything but keep or withdraw stops the start',
  async (t) => {
    t.equal(loadConfig({}).drainRoutes, 'keep');
    const err = t.throws(() => loadConfig({ DRAIN_ROUTES: 'withdrawn' })) as ConfigError;
    t.ok(err instanceof ConfigError);
    t.same(err.problems, [
      'DRAIN_ROUTES (drainRoutes): \'drainRoutes\' must be one of "keep", "withdraw", not "withdrawn"',
    ]);
  },
);

t.test('dialplan distribution: contradictory settings stop the start, each said', async (t) => {
  const refused = (env: Record<string, string>) =>
    (t.throws(() => loadConfig(env)) as ConfigError).problems;
  t.same(refused({ DIALPLAN_SOURCE: 'redis' }), [
    'REDIS_URL: not set; DIALPLAN_SOURCE=redis needs the Redis every gateway shares',
  ]);
  t.same(refused({ DIALPLAN_PUBLISH: 'on' }), [
    'REDIS_URL: not set; DIALPLAN_PUBLISH=on needs the Redis every gateway shares',
  ]);
  t.same(refused({ DIALPLAN_SOURCE: 'redis', DIALPLAN_PUBLISH: 'on', REDIS_URL: 'redis://r' }), [
    'DIALPLAN_PUBLISH: on needs DIALPLAN_SOURCE=files; a follower only serves what the publisher published',
  ]);
  const bad = refused({ DIALPLAN_SOURCE: 'etcd', DIALPLAN_PUBLISH: 'yes', DIALPLAN_POLL_MS: '10' });
  t.equal(bad.length, 3, bad.join('\n'));
  t.match(bad.join('\n'), /DIALPLAN_SOURCE \(distribution\.source\)/);
  t.match(bad.join('\n'), /DIALPLAN_PUBLISH \(distribution\.publish\)/);
  t.match(bad.join('\n'), /DIALPLAN_POLL_MS \(distribution\.pollMs\)/);
});

t.test('the admin API is off by default and bound to loopback when on', async (t) => {
  t.same(loadConfig({}).admin, {
    httpPort: 0,
    httpHost: '127.0.0.1',
    tokensFile: '',
    tlsCert: '',
    tlsKey: '',
    redisUrl: '',
  });
  t.same(loadConfig({}).audit, { stream: 'calltrack:audit', retentionDays: 400 });
});

t.test(
  'a TLS certificate without its key, or a key without its certificate, is refused',
  async (t) => {
    for (const [set, missing] of [
      [{ ADMIN_TLS_CERT: 'a.crt' }, 'ADMIN_TLS_KEY'],
      [{ ADMIN_TLS_KEY: 'a.key' }, 'ADMIN_TLS_CERT'],
    ] as const) {
      const err = t.throws(() => loadConfig(set)) as ConfigError;
      t.ok(err instanceof ConfigError);
      t.same(err.problems, [
        `${missing}: ADMIN_TLS_CERT and ADMIN_TLS_KEY go together (both set: HTTPS, neither: HTTP)`,
      ]);
    }
    t.match(loadConfig({ ADMIN_TLS_CERT: 'a.crt', ADMIN_TLS_KEY: 'a.key' }).admin, {
      tlsCert: 'a.crt',
      tlsKey: 'a.key',
    });
    const err = t.throws(() => loadConfig({ AUDIT_RETENTION_DAYS: '0' })) as ConfigError;
    t.match(err.problems, [/^AUDIT_RETENTION_DAYS \(audit\.retentionDays\)/]);
  },
);

t.test(
  'traffic data: off by default, kept 90 days; more than 180 days or another display is refused',
  async (t) => {
    t.same(loadConfig({}).traffic, {
      records: 'off',
      stream: 'calltrack:{records}:traffic',
      retentionDays: 90,
      callerDisplay: 'masked',
      billingRedisUrl: '',
    });
    t.equal(loadConfig({ TRAFFIC_RETENTION_DAYS: '180' }).traffic.retentionDays, 180);
    const err = t.throws(() =>
      loadConfig({
        TRAFFIC_RETENTION_DAYS: '181',
        TRAFFIC_RECORDS: 'yes',
        TRAFFIC_CALLER_DISPLAY: 'all',
      }),
    ) as ConfigError;
    t.match(err.problems, [
      /^TRAFFIC_RECORDS \(traffic\.records\)/,
      /^TRAFFIC_RETENTION_DAYS \(traffic\.retentionDays\).*180/,
      /^TRAFFIC_CALLER_DISPLAY \(traffic\.callerDisplay\)/,
    ]);
  },
);

t.test(
  'an admin port without a tokens file is refused: no API without authentication',
  async (t) => {
    const err = t.throws(() => loadConfig({ ADMIN_HTTP_PORT: '9465' })) as ConfigError;
    t.ok(err instanceof ConfigError);
    t.same(err.problems, [
      'ADMIN_HTTP_PORT: set without ADMIN_TOKENS_FILE; the admin API never runs without authentication',
    ]);
    const bad = t.throws(() =>
      loadConfig({ ADMIN_HTTP_PORT: '70000', ADMIN_HTTP_HOST: 'a b', ADMIN_TOKENS_FILE: 'x.yaml' }),
    ) as ConfigError;
    t.equal(bad.problems.length, 2, bad.message);
    t.match(bad.problems[0], /^ADMIN_HTTP_PORT \(admin\.httpPort\)/);
    t.match(bad.problems[1], /^ADMIN_HTTP_HOST \(admin\.httpHost\)/);
  },
);

t.test('every bad value is listed at once, naming the variable', async (t) => {
  const err = t.throws(() =>
    loadConfig({
      DRACHTIO_PORT: 'ninety',
      HTTP_PORT: '70000',
      LOG_LEVEL: 'loud',
      REDIS_URL: 'localhost:6379',
      DEFAULT_COUNTRY: 'CH',
      OUTBOUND_TRUNK: 'trunk',
      UNKNOWN_SOURCES: 'allow',
    }),
  ) as ConfigError;
  t.ok(err instanceof ConfigError);
  t.equal(err.problems.length, 7, err.message);
  for (const name of [
    'UNKNOWN_SOURCES',
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

t.test(
  'the HTTP listener: a bad address and a READYZ_DETAIL other than on/off are named',
  async (t) => {
    const err = t.throws(() =>
      loadConfig({ HTTP_HOST: '0.0.0.0 ::', READYZ_DETAIL: 'yes' }),
    ) as ConfigError;
    t.equal(err.problems.length, 2, err.message);
    t.match(err.message, /HTTP_HOST \(httpHost\): 'httpHost' must be an address to bind to/);
    t.match(
      err.message,
      /READYZ_DETAIL \(readyzDetail\): 'readyzDetail' must be one of "on", "off"/,
    );
  },
);

t.test('media: no FreeSWITCH by default; a server without a secret is refused', async (t) => {
  t.same(loadConfig({}).media.servers, [], 'signalling only unless FREESWITCH is set');
  const err = t.throws(() => loadConfig({ FREESWITCH: 'fs1:8021' })) as ConfigError;
  t.match(err.message, /FREESWITCH \(media\.servers\.0\): .*host:port:secret/);
});

t.test(
  'voicemail: a bad SMTP_URL and limit are named, a password in them never echoed',
  async (t) => {
    const err = t.throws(() =>
      loadConfig({
        SMTP_URL: 'mail.example.net:25 user:s3cr3t',
        VOICEMAIL_MAX_SECONDS: '3',
        VOICEMAIL_RETRY_MS: 'soon',
      }),
    ) as ConfigError;
    t.equal(err.problems.length, 3, err.message);
    t.match(err.message, /SMTP_URL \(voicemail\.smtpUrl\): .*smtp:\/\//);
    t.match(err.message, /VOICEMAIL_MAX_SECONDS \(voicemail\.maxSeconds\): .*>= 5/);
    t.match(err.message, /VOICEMAIL_RETRY_MS/);
    t.notMatch(err.message, /s3cr3t/, 'the value is not repeated');
    t.equal(loadConfig({}).voicemail.smtpUrl, '', 'no SMTP by default: voicemail off');
  },
);

t.test('call timers out of range are refused, each named', async (t) => {
  const err = t.throws(() =>
    loadConfig({
      MAX_CALL_DURATION_S: '0',
      TRANSFER_RING_TIMEOUT_S: 'soon',
      MEDIA_ANCHOR_TIMEOUT_MS: '50',
      // 0 would refuse every anchor: a typo, not a way to turn media off (FREESWITCH empty is)
      MEDIA_ANCHOR_MAX_PENDING: '0',
      DIALOG_KEEPALIVE_S: '-5',
      RINGING_REFRESH_S: '61',
    }),
  ) as ConfigError;
  t.ok(err instanceof ConfigError);
  t.equal(err.problems.length, 6, err.message);
  for (const name of [
    'MAX_CALL_DURATION_S',
    'TRANSFER_RING_TIMEOUT_S',
    'MEDIA_ANCHOR_TIMEOUT_MS',
    'MEDIA_ANCHOR_MAX_PENDING',
    'DIALOG_KEEPALIVE_S',
    'RINGING_REFRESH_S',
  ])
    t.ok(
      err.problems.some((p) => p.startsWith(name)),
      `${name} is named`,
    );
});

t.test('DIALOG_KEEPALIVE_S: every 300 s by default, 0 turns it off', async (t) => {
  t.equal(loadConfig({}).dialogKeepaliveSeconds, 300);
  t.equal(loadConfig({ DIALOG_KEEPALIVE_S: '0' }).dialogKeepaliveSeconds, 0);
});

t.test(
  'RINGING_REFRESH_S: every 20 s by default, 0 turns it off, past a minute refused',
  async (t) => {
    t.equal(loadConfig({}).ringingRefreshSeconds, 20);
    t.equal(loadConfig({ RINGING_REFRESH_S: '0' }).ringingRefreshSeconds, 0);
    const err = t.throws(() => loadConfig({ RINGING_REFRESH_S: '90' })) as ConfigError;
    t.match(err.problems.join('\n'), /^RINGING_REFRESH_S \(ringingRefreshSeconds\): .*up to 60/m);
  },
);

t.test(
  'TRANSFER_RING_TIMEOUT_S: up to 180 s, where drachtio-server’s timer C would cancel first',
  async (t) => {
    t.equal(loadConfig({ TRANSFER_RING_TIMEOUT_S: '180' }).transferRingTimeoutSeconds, 180);
    const err = t.throws(() => loadConfig({ TRANSFER_RING_TIMEOUT_S: '181' })) as ConfigError;
    t.match(
      err.problems.join('\n'),
      /^TRANSFER_RING_TIMEOUT_S \(transferRingTimeoutSeconds\): .*from 1 to 180: .*185 s after its last 18x \(timer C\)/m,
    );
  },
);

t.test('HOURS_CLOCK_START: an instant with its offset, or the start is refused', async (t) => {
  for (const bad of ['2026-12-06 03:00', '2026-12-06T03:00:00', '2026-02-30T10:00:00Z', 'sunday']) {
    const err = t.throws(() => loadConfig({ HOURS_CLOCK_START: bad })) as ConfigError;
    t.ok(err instanceof ConfigError, bad);
    t.match(err.problems.join('\n'), /^HOURS_CLOCK_START/, `${bad}: the variable is named`);
  }
  t.equal(loadConfig({}).hoursClockStart, '', 'the system clock by default');
});

t.test('the hours clock starts where configured and runs on with the system clock', async (t) => {
  let system = 1_000_000;
  const clock = hoursClock('2026-12-06T03:00:00+01:00', () => system);
  t.equal(new Date(clock()).toISOString(), '2026-12-06T02:00:00.000Z');
  system += 90_000;
  t.equal(new Date(clock()).toISOString(), '2026-12-06T02:01:30.000Z', 'it runs on');
  t.equal(hoursClock('', () => system)(), system, 'empty: the system clock itself');
});

t.test(
  'OUTBOUND_TRUNK: SIP URIs keep scheme and transport; host:port is sip over the default',
  async (t) => {
    const route = (v: string) => loadConfig({ OUTBOUND_TRUNK: v }).resolvedTrunk.route;
    t.same(route('sip:trunk.example:5061;transport=tls'), {
      scheme: 'sip',
      hostPort: 'trunk.example:5061',
      transport: 'tls',
    });
    t.same(route('SIPS:10.0.0.5'), { scheme: 'sips', hostPort: '10.0.0.5' });
    t.same(route('sip:trunk.example;transport=TCP'), {
      scheme: 'sip',
      hostPort: 'trunk.example',
      transport: 'tcp',
    });
    t.same(route('192.0.2.10:5080'), { scheme: 'sip', hostPort: '192.0.2.10:5080' });
    t.same(route('[2001:db8::1]:5060'), { scheme: 'sip', hostPort: '[2001:db8::1]:5060' });
    t.same(loadConfig({}).resolvedTrunk, {
      route: { scheme: 'sip', hostPort: 'trunk.invalid:5060' },
    });
  },
);

t.test('a bad OUTBOUND_TRUNK stops the start with one message that says why', async (t) => {
  for (const [value, why] of [
    ['trunk', /not a trunk address \(sip:host/],
    ['sip:+4930@trunk.example', /has a user part/],
    ['sip:trunk.example;transport=sctp', /only ;transport=udp\|tcp\|tls/],
    ['sip:trunk.example;lr', /parameter ';lr'/],
    ['sips:trunk.example;transport=udp', /sips: over UDP/],
    ['sip:trunk.example:99999', /invalid port/],
    ['sip:trunk_example', /no valid host/],
  ] as const) {
    const err = t.throws(() => loadConfig({ OUTBOUND_TRUNK: value }), value) as ConfigError;
    t.equal(err.problems.length, 1, err.message);
    t.match(err.problems[0], /^OUTBOUND_TRUNK \(outboundTrunk\): /, value);
    t.match(err.problems[0], why, value);
  }
});

t.test('trunk credentials: from a secret file, complete or refused, never echoed', async (t) => {
  const dir = t.testdir({ 'pw.txt': 's3cr3t-file\n', 'empty.txt': '' });
  const c = loadConfig({
    TRUNK_AUTH_USERNAME: 'gw',
    TRUNK_AUTH_PASSWORD_FILE: `${dir}/pw.txt`,
  });
  t.same(c.resolvedTrunk.auth, { username: 'gw', password: 's3cr3t-file' }, 'newline dropped');
  t.notOk(loadConfig({}).resolvedTrunk.auth, 'no credentials by default');
  const refused = (env: Record<string, string>) =>
    (t.throws(() => loadConfig(env)) as ConfigError).message;
  t.match(refused({ TRUNK_AUTH_USERNAME: 'gw' }), /TRUNK_AUTH_USERNAME .*set TRUNK_AUTH_PASSWORD/);
  t.match(refused({ TRUNK_AUTH_PASSWORD: 's3cr3t' }), /a trunk password is set but no user name/);
  const both = refused({
    TRUNK_AUTH_USERNAME: 'gw',
    TRUNK_AUTH_PASSWORD: 's3cr3t',
    TRUNK_AUTH_PASSWORD_FILE: `${dir}/pw.txt`,
  });
  t.match(both, /not both/);
  t.equal(both.split('\n').length, 2, 'one problem, said once');
  t.notMatch(both, /s3cr3t/, 'the password is not repeated');
  const missing = refused({ TRUNK_AUTH_USERNAME: 'gw', TRUNK_AUTH_PASSWORD_FILE: `${dir}/nope` });
  t.match(missing, /TRUNK_AUTH_PASSWORD_FILE .*cannot read '.*nope' \(ENOENT\)/);
  t.match(
    refused({ TRUNK_AUTH_USERNAME: 'gw', TRUNK_AUTH_PASSWORD_FILE: `${dir}/empty.txt` }),
    /is empty/,
  );
});

t.test('TRUNK_ASSERTED_IDENTITY is a DE/AT number; MAX_REDIRECTS 0-10', async (t) => {
  t.equal(
    loadConfig({ TRUNK_ASSERTED_IDENTITY: '+4315123456' }).resolvedTrunk.assertedIdentity,
    '+4315123456',
  );
  const err = t.throws(() =>
    loadConfig({ TRUNK_ASSERTED_IDENTITY: '+41445551234', MAX_REDIRECTS: '11' }),
  ) as ConfigError;
  t.equal(err.problems.length, 2, err.message);
  t.match(err.message, /TRUNK_ASSERTED_IDENTITY .*not a valid German or Austrian number/);
  t.match(err.message, /MAX_REDIRECTS \(maxRedirects\)/);
  t.match(
    (t.throws(() => loadConfig({ TRUNK_ASSERTED_IDENTITY: '030 123' })) as ConfigError).message,
    /TRUNK_ASSERTED_IDENTITY .*E\.164/,
  );
  t.equal(loadConfig({}).maxRedirects, 3);
});

t.test('the edge: defaults, and limits out of range are refused', async (t) => {
  t.match(loadConfig({}), {
    carriersFile: 'config/carriers.yaml',
    unknownSources: 'refuse',
    rateLimit: { sources: 100000 },
    overload: { maxCallsPerSecond: 500, maxConcurrentCalls: 4000 },
  });
  const err = t.throws(() =>
    loadConfig({
      MAX_CALLS_PER_SECOND: '0',
      MAX_CONCURRENT_CALLS: 'lots',
      RATE_LIMIT_SOURCES: '0',
    }),
  ) as ConfigError;
  t.equal(err.problems.length, 3, err.message);
  for (const name of ['MAX_CALLS_PER_SECOND', 'MAX_CONCURRENT_CALLS', 'RATE_LIMIT_SOURCES'])
    t.ok(
      err.problems.some((p) => p.startsWith(`${name} (`)),
      `${name} is named`,
    );
});
