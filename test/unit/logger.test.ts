import { Writable } from 'node:stream';
import t from 'tap';
import { createLogger, redactText } from '../../src/observability/logger.js';

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

t.test('what is not a phone number stays readable', async (t) => {
  t.equal(
    redactText('2026-11-22 port 5060 took 250 ms from 192.168.100.200'),
    '2026-11-22 port 5060 took 250 ms from 192.168.100.200',
  );
  t.equal(redactText('+4930123456'), '[number]');
});
