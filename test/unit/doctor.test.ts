// `calltrack doctor`'s pure parts: the table and its exit code, and each peer's outcome turned
// into a row (what is wrong, what to set), told apart by cause.
import t from 'tap';
import { drachtioRow } from '../../src/cli/doctor/drachtio-check.js';
import { EslMessages } from '../../src/cli/doctor/esl.js';
import { formatDoctor } from '../../src/cli/doctor/format.js';
import { freeswitchRow, profileOutcome } from '../../src/cli/doctor/freeswitch-check.js';
import { redisUses } from '../../src/cli/doctor/redis-check.js';
import {
  type CheckResult,
  doctorExitCode,
  failed,
  ok,
  skipped,
  warned,
} from '../../src/cli/doctor/result.js';
import { smtpOutcome } from '../../src/cli/doctor/smtp-check.js';
import { formatTable } from '../../src/cli/table.js';
import { loadConfig } from '../../src/config/load.js';

t.test(
  'formatTable: columns two spaces apart, right-aligned where asked, no trailing blanks',
  async (t) => {
    t.same(
      formatTable(
        ['a', 'n'],
        [
          ['long', '1'],
          ['x', '22'],
        ],
        { alignRight: [false, true] },
      ),
      ['a      n', 'long   1', 'x     22'],
    );
    t.same(formatTable(['check', 'detail'], [['x', '']]), ['check  detail', 'x']);
  },
);

t.test('the table: a row per check, more detail lines and the fix under the detail', async (t) => {
  const results: CheckResult[] = [
    ok('configuration', 'valid'),
    failed('drachtio', '127.0.0.1:9022: secret refused', 'set DRACHTIO_SECRET'),
    failed('dialplans', '2 error(s) in d:\nd/a.yaml:1:1: x\nd/b.yaml:2:3: y', 'correct them'),
    skipped('smtp', 'SMTP_URL not set'),
  ];
  t.same(formatDoctor(results), [
    'check          status   detail',
    'configuration  ok       valid',
    'drachtio       FAIL     127.0.0.1:9022: secret refused',
    '                        fix: set DRACHTIO_SECRET',
    'dialplans      FAIL     2 error(s) in d:',
    '                        d/a.yaml:1:1: x',
    '                        d/b.yaml:2:3: y',
    '                        fix: correct them',
    'smtp           skipped  SMTP_URL not set',
    '',
    '2 of 4 checks FAILED (1 skipped)',
  ]);
});

t.test('exit code: 1 only when a check failed; warnings and skips pass', async (t) => {
  t.equal(doctorExitCode([ok('a', ''), skipped('b', ''), warned('c', '', 'f')]), 0);
  t.equal(doctorExitCode([ok('a', ''), failed('b', '', 'f')]), 1);
  t.equal(formatDoctor([ok('a', ''), warned('c', 'x', 'f')]).at(-1), 'no check failed (1 warning)');
});

t.test('drachtio: a refused secret and a closed port are different problems', async (t) => {
  const target = { host: '10.0.0.2', port: 9022, secret: 'hidden' };
  const secret = drachtioRow(target, { kind: 'secret-refused', reason: 'incorrect secret' });
  t.match(secret, {
    status: 'FAIL',
    detail: /secret refused \(incorrect secret\)/,
    fix: /DRACHTIO_SECRET/,
  });
  const refused = drachtioRow(target, { kind: 'refused' });
  t.match(refused, { status: 'FAIL', detail: /connection refused/, fix: /start drachtio-server/ });
  t.notMatch(refused.fix, /DRACHTIO_SECRET/);
  const silent = drachtioRow(target, { kind: 'timeout', stage: 'answer', ms: 3000 });
  t.match(silent.detail, /connected, but no answer within 3 s/);
  t.match(
    drachtioRow(target, {
      kind: 'authenticated',
      hostport: 'udp/10.0.0.2:5060',
      version: 'v0.9.10',
    }),
    {
      status: 'ok',
    },
  );
  for (const row of [secret, refused, silent]) t.notMatch(JSON.stringify(row), 'hidden');
});

t.test('drachtio: destinations naming a transport the server lacks are a warning', async (t) => {
  const target = { host: '10.0.0.2', port: 9022, secret: 'hidden' };
  const authenticated = {
    kind: 'authenticated',
    hostport: 'tcp/10.0.0.2:5060,udp/10.0.0.2:5060',
    version: 'v0.9.10',
  } as const;
  const need = (i: number, needs: 'tls' | 'tcp') => ({
    uri: `sips:d${i}@pbx.example`,
    needs,
    usedBy: `customer c${i}: closed`,
    places: 1,
  });
  const lacking = [1, 2, 3, 4, 5, 6].map((i) => need(i, 'tls'));
  const row = drachtioRow(target, authenticated, false, [need(0, 'tcp'), ...lacking]);
  t.match(row, { status: 'warn', fix: /add the transport to drachtio-server's contact/ });
  t.same(row.detail.split('\n'), [
    '10.0.0.2:9022: authenticated (drachtio v0.9.10, SIP on tcp/10.0.0.2:5060,udp/10.0.0.2:5060)',
    '6 destination(s) name a transport it does not listen on; no call to them through it connects:',
    'sips:d1@pbx.example needs tls (customer c1: closed)',
    'sips:d2@pbx.example needs tls (customer c2: closed)',
    'sips:d3@pbx.example needs tls (customer c3: closed)',
    'sips:d4@pbx.example needs tls (customer c4: closed)',
    'sips:d5@pbx.example needs tls (customer c5: closed)',
    '… and 1 more',
  ]);
  t.equal(doctorExitCode([row]), 0, 'a warning: the rest of the gateway works');
  t.match(drachtioRow(target, authenticated, false, [need(0, 'tcp')]), { status: 'ok' });
});

t.test('FreeSWITCH: the sofia profile answer, the password, and no password printed', async (t) => {
  const body = [
    '='.repeat(97),
    'Name             \tdrachtio_mrf',
    'URL              \tsip:mod_sofia@10.0.0.5:5080',
    'BIND-URL         \tsip:mod_sofia@10.0.0.5:5080;maddr=10.0.0.5',
    '',
  ].join('\n');
  t.same(profileOutcome(body), { kind: 'profile-running', url: 'sip:mod_sofia@10.0.0.5:5080' });
  t.same(profileOutcome('Invalid Profile!\n'), {
    kind: 'profile-missing',
    answer: 'Invalid Profile!',
  });
  const server = '10.0.0.5:8021:Clue:Con';
  const missing = freeswitchRow(server, { kind: 'profile-missing', answer: 'Invalid Profile!' }, 1);
  t.match(missing, {
    check: 'freeswitch 1',
    status: 'FAIL',
    fix: /sofia profile drachtio_mrf start/,
  });
  const password = freeswitchRow(server, { kind: 'password-refused', reply: '-ERR invalid' }, 2);
  t.match(password, { check: 'freeswitch 2', detail: /password refused/, fix: /FREESWITCH/ });
  for (const row of [missing, password]) t.notMatch(JSON.stringify(row), 'Clue:Con');
});

t.test(
  'EslMessages: headers to a blank line, then Content-Length bytes, however they arrive',
  async (t) => {
    const reader = new EslMessages();
    t.same(
      reader.push(Buffer.from('Content-Type: auth/request\n\nContent-Type: api/resp')).length,
      1,
    );
    t.same(reader.push(Buffer.from('onse\nContent-Length: 5\n\nab')), []);
    const [api] = reader.push(Buffer.from('\n\ncX'));
    t.equal(api?.headers.get('content-type'), 'api/response');
    t.equal(api?.body, 'ab\n\nc', 'a blank line inside the body is body');
  },
);

t.test('SMTP: nodemailer errors named by cause', async (t) => {
  const err = (code: string, message: string) => Object.assign(new Error(message), { code });
  t.same(smtpOutcome(err('EAUTH', 'Invalid login: 535 no'), 3000), {
    kind: 'auth-refused',
    message: 'Invalid login: 535 no',
  });
  t.same(smtpOutcome(err('ESOCKET', 'connect ECONNREFUSED 127.0.0.1:25'), 3000), {
    kind: 'refused',
  });
  t.same(smtpOutcome(err('ETIMEDOUT', 'Greeting never received'), 3000), {
    kind: 'timeout',
    ms: 3000,
  });
});

t.test('Redis is checked only where this configuration uses it', async (t) => {
  t.same(redisUses(loadConfig({})), ['RECORD_SINK=redis']);
  t.same(redisUses(loadConfig({ RECORD_SINK: 'log' })), []);
  t.same(
    redisUses(
      loadConfig({ RECORD_SINK: 'log', DIALPLAN_SOURCE: 'redis', REDIS_URL: 'redis://r:6379' }),
    ),
    ['DIALPLAN_SOURCE=redis'],
  );
});
