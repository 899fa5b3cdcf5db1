import { spawnSync } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import t from 'tap';
import { chooseFormat, logDestination } from '../../src/observability/log-format.js';
import { createLogger, isoTime, redactText } from '../../src/observability/logger.js';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { logger: createLogger('debug', stream), lines };
}

t.test('phone numbers in any shape are redacted from messages and fields', async (t) => {
  const { logger, lines } = capture();
  const child = logger.child({
    callId: 'a84b4c76e66710@pc33',
    from: 'sip:+4917612345678@carrier.example',
  });
  child.info(
    {
      caller: '+49 176 1234 5678',
      nested: { uri: 'tel:0176-12345678' },
      list: ['004917612345678'],
    },
    'call from 017612345678 to sip:+493025550101@gw',
  );
  child.error(new Error('dial 0176/12345678 failed'), 'failed');
  const out = lines.join('');
  for (const shape of [
    '17612345678',
    '176 1234 5678',
    '0176-12345678',
    '0176/12345678',
    '3025550101',
  ])
    t.notOk(out.includes(shape), `no ${shape}`);
  t.match(out, /\[number\]/);
  t.match(out, /a84b4c76e66710@pc33/, 'short digit runs (ids, ports) stay');
});

t.test(
  'objects with methods of their own are logged as their fields, never as their toJSON',
  async (t) => {
    class Leaky {
      readonly kind = 'leaky';
      toJSON() {
        return 'call from +4917612345678';
      }
    }
    const { logger, lines } = capture();
    const fields = { outcome: 'answered', thing: new Leaky(), nested: { source: 'web' } };
    logger.info(fields, 'call ended');
    const line = JSON.parse(lines[0]!);
    t.same(line.thing, { kind: 'leaky' }, 'the fields, not the toJSON text');
    t.same(line.nested, { source: 'web' });
    t.equal(line.outcome, 'answered');
    t.notOk(lines[0]!.includes('17612345678'));
    t.same(fields.nested, { source: 'web' }, "the caller's object is left as it was");
  },
);

t.test('what is not a phone number stays readable', async (t) => {
  t.equal(
    redactText('2026-11-22 port 5060 took 250 ms from 192.168.100.200'),
    '2026-11-22 port 5060 took 250 ms from 192.168.100.200',
  );
  t.equal(redactText('+4930123456'), '[number]');
  // the digit count decides before the pattern runs: six digits stay, the seventh makes a number
  t.equal(redactText('call 12 34 56 ended'), 'call 12 34 56 ended');
  t.equal(redactText('call 123 45 67 ended'), 'call [number] ended');
  t.equal(redactText('1234567'), '[number]');
});

t.test('each line has its time as toISOString gives it', async (t) => {
  for (const ms of [0, 999, 1_700_000_000_123])
    t.equal(isoTime(ms), `,"time":"${new Date(ms).toISOString()}"`);
  const { logger, lines } = capture();
  const before = Date.now();
  logger.info('now');
  const time = JSON.parse(lines[0]!).time;
  t.equal(new Date(time).toISOString(), time, 'ISO 8601 with milliseconds');
  t.ok(Date.parse(time) >= before && Date.parse(time) <= Date.now(), 'stamped with the clock');
});

t.test('Call-IDs stay whole, as field and in text; a number in a URI does not', async (t) => {
  const { logger, lines } = capture();
  logger
    .child({ callId: '4-1234567@127.0.0.1' })
    .info(
      { dialogId: '1-28957@127.0.0.1;from-tag=1234567' },
      'BYE for 2-1234567@10.0.0.1 sent to sip:+4917612345678@x',
    );
  const out = lines.join('');
  t.match(out, /"callId":"4-1234567@127\.0\.0\.1"/, 'the Call-ID field');
  t.match(out, /"dialogId":"1-28957@127\.0\.0\.1;from-tag=1234567"/, 'the dialog id field');
  t.match(out, /BYE for 2-1234567@10\.0\.0\.1 sent/, 'a Call-ID in the message');
  t.match(out, /sip:\[number\]@x/, 'the number in the URI is redacted');
  t.notOk(out.includes('17612345678'));
});

t.test('dialplan versions stay whole: ops compare them across gateways', async (t) => {
  const { logger, lines } = capture();
  // a hex hash with seven digits in a row, as one in six versions has
  logger.info({ version: 'a1234567b89cdef0', servedVersion: '0123456789abcdef' }, 'followed');
  const out = lines.join('');
  t.match(out, /"version":"a1234567b89cdef0"/);
  t.match(out, /"servedVersion":"0123456789abcdef"/);
});

t.test('errors are logged with stack and the whole cause chain, redacted', async (t) => {
  const { logger, lines } = capture();
  const cause = new Error('no route to +4917612345678');
  const err = Object.assign(new Error('dial failed', { cause }), { status: 503 });
  logger.error({ err }, 'call failed');
  const line = JSON.parse(lines.join('')) as { err: Record<string, unknown> };
  t.equal(line.err.type, 'Error');
  t.match(line.err.message, /dial failed: no route to \[number\]/, 'the cause in the message');
  t.match(line.err.stack, /^Error: dial failed\n\s+at /, 'the stack');
  t.match(line.err.stack, /caused by: Error: no route to \[number\]\n\s+at /, "the cause's stack");
  t.equal(line.err.status, 503, "the library's fields (a SIP status)");
  t.notOk(lines.join('').includes('17612345678'));
});

t.test('credentials never reach the log, wherever srf or drachtio carry them', async (t) => {
  const { logger, lines } = capture();
  // srf keeps the createUAC options (with `auth`) on the request a SipError's response points to
  const err = Object.assign(new Error('Sip non-success response: 401'), {
    status: 401,
    res: {
      req: { _originalParams: { options: { auth: { username: 'gw', password: 's3cr3t-pw' } } } },
      headers: { Authorization: 'Digest username="gw", response="0123abcd"' },
    },
  });
  logger.child({ callId: 'x' }).warn({ err, password: 's3cr3t-pw' }, 'attempt failed');
  const out = lines.join('');
  t.notMatch(out, /s3cr3t-pw/, 'no password');
  t.notMatch(out, /0123abcd/, 'no digest response');
  t.match(out, /\[secret\]/);
  t.match(out, /"status":401/, 'the rest stays readable');
});

t.test('log format: auto is pretty on a terminal only; json and pretty as set', async (t) => {
  t.equal(chooseFormat('auto', true), 'pretty');
  t.equal(chooseFormat('auto', false), 'json');
  t.equal(chooseFormat('json', true), 'json');
  t.equal(chooseFormat('pretty', false), 'pretty');
});

t.test(
  'JSON lines: each written at once, in this thread, and the last one before an exit',
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'calltrack-log-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'log');
    const stream = logDestination('auto', false, openSync(path, 'w'));
    // closes the file too
    t.teardown(() => (stream as unknown as { destroy(): void }).destroy());
    const logger = createLogger('info', stream);
    logger.info({ callId: '1-2@x' }, 'call ended');
    t.match(
      JSON.parse(readFileSync(path, 'utf8')),
      { msg: 'call ended', callId: '1-2@x' },
      'in the file as soon as the call returns: no round trip through the thread pool',
    );
    logger.info('call ended');
    t.equal(readFileSync(path, 'utf8').trim().split('\n').length, 2);

    // a process that logs and exits at once (a fatal start) leaves its line
    const out = join(dir, 'exit');
    const code = `
    import { openSync } from 'node:fs';
    import { logDestination } from ${JSON.stringify(pathToFileURL(resolve('src/observability/log-format.ts')).href)};
    import { createLogger } from ${JSON.stringify(pathToFileURL(resolve('src/observability/logger.ts')).href)};
    createLogger('info', logDestination('json', false, openSync(${JSON.stringify(out)}, 'w'))).fatal('bad config');
    process.exit(2);`;
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', code],
      {
        encoding: 'utf8',
      },
    );
    t.equal(run.status, 2, run.stderr);
    t.match(JSON.parse(readFileSync(out, 'utf8')), { level: 60, msg: 'bad config' });
  },
);

t.test('pretty: the level word and the message, numbers redacted as in JSON', async (t) => {
  let out = '';
  const sink = new Writable({
    write(chunk, _enc, cb) {
      out += String(chunk);
      cb();
    },
  });
  const stream = logDestination('pretty', false, sink);
  t.ok(stream, 'a prettifier');
  const logger = createLogger('info', stream);
  logger
    .child({ from: 'sip:+4917612345678@carrier.example' })
    .warn({ dialled: '+49 176 1234 5678', callId: '1-28957@127.0.0.1' }, 'call from 017612345678');
  logger.info('connected to drachtio-server at 127.0.0.1:9022');
  const lines = out.trim().split('\n');
  t.equal(lines.length, 2, `one line per event:\n${out}`);
  t.match(lines[0], /^\[\d\d:\d\d:\d\d\.\d{3}\] WARN: call from \[number\] /);
  t.match(lines[1], /INFO: connected to drachtio-server at 127\.0\.0\.1:9022/);
  t.notOk(out.trimStart().startsWith('{'), 'not JSON');
  for (const shape of ['17612345678', '176 1234 5678']) t.notOk(out.includes(shape), `no ${shape}`);
  t.match(out, /1-28957@127\.0\.0\.1/, 'the Call-ID kept');
  t.notOk(out.includes('\u001b['), 'no colours where no terminal shows them');
  t.notOk(out.includes('calltrack'), 'the service field left out');
});
