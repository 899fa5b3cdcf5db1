import { Writable } from 'node:stream';
import t from 'tap';
import { createLogger, lazyChild } from '../../src/observability/logger.js';

function capture(level: string) {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  const root = createLogger(level, stream);
  // counts the children made through it; on an object of its own, so that the children (which
  // inherit from the root, not from this) do not inherit the counting
  const logger = Object.create(root) as typeof root;
  let children = 0;
  logger.child = ((...args: Parameters<typeof root.child>) => {
    children++;
    return root.child(...args);
  }) as typeof root.child;
  return { logger, lines, children: () => children };
}

t.test('a call logger writes its lines as a child would, without making one', async (t) => {
  const { logger, lines, children } = capture('info');
  const log = lazyChild(logger, { callId: '1-28957@127.0.0.1', from: 'sip:+4917612345678@x' });
  log.debug({ step: 1 }, 'below the level');
  t.equal(lines.length, 0, 'a disabled level writes nothing');
  log.info({ outcome: 'answered' }, 'call ended');
  log.warn('second line %s', 'formatted');
  log.error(new Error('it broke'));
  (log.info as (...args: unknown[]) => void)();
  t.equal(children(), 0, 'no child made for lines');
  const [first, second, third, fourth] = lines.map((l) => JSON.parse(l));
  t.match(first, { callId: '1-28957@127.0.0.1', outcome: 'answered', msg: 'call ended' });
  t.same(
    Object.keys(first).slice(0, 5),
    ['level', 'time', 'service', 'callId', 'from'],
    'the bindings where a child puts them: before the line’s own fields',
  );
  t.match(second, { callId: '1-28957@127.0.0.1', msg: 'second line formatted' });
  t.match(third, { callId: '1-28957@127.0.0.1', msg: 'it broke', err: { message: 'it broke' } });
  t.match(fourth, { callId: '1-28957@127.0.0.1', level: 30 });
  t.notOk(lines.join('').includes('17612345678'), 'bindings redacted as with child()');
  t.ok(log.isLevelEnabled('info'));
  t.equal(children(), 1, 'anything else than a line makes the child, once');
  log.info('after the child');
  t.equal(children(), 1);
  t.equal(JSON.parse(lines[4] ?? '{}').callId, '1-28957@127.0.0.1');
});

t.test('a child of a call logger carries both bindings', async (t) => {
  const { logger, lines } = capture('info');
  const log = lazyChild(logger, { callId: 'abc@host' });
  log.child({ transfer: 'blind' }).info('transferred');
  t.match(JSON.parse(lines[0] ?? '{}'), { callId: 'abc@host', transfer: 'blind' });
});

t.test('a level set on a call logger is its own, not the process logger’s', async (t) => {
  const { logger, lines } = capture('info');
  const log = lazyChild(logger, { callId: 'abc@host' });
  log.level = 'debug';
  log.debug('now on');
  logger.debug('still off');
  t.equal(lines.length, 1);
  t.equal(logger.level, 'info');
});
