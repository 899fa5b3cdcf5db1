/**
 * The call path's own abort signal: it behaves as an AbortSignal does where the call path reads
 * one (first reason wins, each listener once, removed ones never), and a listener that throws
 * does not keep the others from stopping their steps.
 */
import t from 'tap';
import { StopController } from '../../src/util/stop-signal.js';

t.test(
  'the first abort wins; every listener runs once, in order, removed ones never',
  async (t) => {
    const c = new StopController();
    const ran: string[] = [];
    const removed = () => ran.push('removed');
    c.signal.addEventListener('abort', () => ran.push('a'), { once: true });
    c.signal.addEventListener('abort', removed);
    c.signal.addEventListener('abort', () => ran.push(`b:${String(c.signal.reason)}`));
    c.signal.removeEventListener('abort', removed);
    t.equal(c.signal.aborted, false);
    c.abort('Reason: caller');
    c.abort('Reason: later');
    t.equal(c.signal.aborted, true);
    t.equal(c.signal.reason, 'Reason: caller', 'the first reason stays');
    t.same(ran, ['a', 'b:Reason: caller'], 'once each, the removed one not at all');
    c.signal.addEventListener('abort', () => ran.push('late'));
    t.same(
      ran,
      ['a', 'b:Reason: caller'],
      'added after the abort: never runs, as with AbortSignal',
    );
  },
);

t.test('a listener that throws does not stop the others; the error is not lost', async (t) => {
  const c = new StopController();
  const ran: string[] = [];
  c.signal.addEventListener('abort', () => {
    throw new Error('step failed');
  });
  c.signal.addEventListener('abort', () => ran.push('next'));
  const thrown = new Promise<unknown>((resolve) => process.once('uncaughtException', resolve));
  c.abort('x');
  t.same(ran, ['next']);
  t.match(await thrown, { message: 'step failed' }, 'rethrown on its own, as an uncaught error');
});

t.test('an AbortSignal behaves the same where the call path reads it', async (t) => {
  const reference = new AbortController();
  const lite = new StopController();
  for (const c of [reference, lite]) {
    const ran: unknown[] = [];
    c.signal.addEventListener('abort', () => ran.push(c.signal.reason), { once: true });
    c.abort('r1');
    c.abort('r2');
    t.same(ran, ['r1'], c === lite ? 'lite' : 'AbortController');
  }
});
