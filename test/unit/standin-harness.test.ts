// The sipp harness itself: a missing sipp fails naming the Debian package; sipp's stat and
// message logs are read correctly.
import t from 'tap';
import { MissingBinaryError, requireBinary } from '../helpers/binaries.js';
import { parseMessages, parseStats, startSipp } from '../helpers/sipp.js';

t.test('a missing binary is an error naming the package, never a skip', async (t) => {
  t.throws(() => requireBinary('no-such-binary-for-calltrack', 'calltrack-fake-pkg'), {
    name: 'MissingBinaryError',
    message: /apt-get install -y calltrack-fake-pkg/,
  });
  const path = process.env.PATH;
  process.env.PATH = '/nonexistent';
  t.teardown(() => {
    process.env.PATH = path;
  });
  await t.rejects(startSipp({ scenario: 'uas-busy-486.xml' }), MissingBinaryError);
  await t.rejects(startSipp({ scenario: 'uas-busy-486.xml' }), /Debian package 'sip-tester'/);
});

t.test('stat CSV: the last line holds the cumulative counters', async (t) => {
  const csv = [
    'StartTime;TotalCallCreated;SuccessfulCall(P);SuccessfulCall(C);FailedCall(P);FailedCall(C);',
    'x;1;0;0;0;0;',
    'x;3;1;2;1;1;',
  ].join('\n');
  t.same(parseStats(csv), { created: 3, successful: 2, failed: 1 });
  t.same(parseStats(''), { created: 0, successful: 0, failed: 0 });
});

t.test('message log: direction, first line and time of each message', async (t) => {
  const log = [
    '----------------------------------------------- 2026-01-01 00:00:00.000000',
    'UDP message sent (20 bytes):',
    '',
    'OPTIONS sip:a@b SIP/2.0',
    'Via: x',
    '',
    '----------------------------------------------- 2026-01-01 00:00:00.100000',
    'UDP message received [30] bytes :',
    '',
    'SIP/2.0 200 OK',
    'X-Greeting: Grüße',
    '',
  ].join('\n');
  const messages = parseMessages(log);
  t.same(
    messages.map((m) => [m.dir, m.firstLine]),
    [
      ['sent', 'OPTIONS sip:a@b SIP/2.0'],
      ['received', 'SIP/2.0 200 OK'],
    ],
  );
  t.match(messages[1]?.text ?? '', /X-Greeting: Grüße/);
  t.equal(
    (messages[1]?.at ?? 0) - (messages[0]?.at ?? 0),
    100,
    'the stamps are read to the millisecond',
  );
  t.equal(messages[0]?.at, new Date(2026, 0, 1).getTime(), 'in local time, as sipp writes them');
});
