import { Writable } from 'node:stream';
import t from 'tap';
import { createLogger } from '../../src/observability/logger.js';
import { PeerWatch } from '../../src/observability/peer-watch.js';

type Line = { level: number; msg: string } & Record<string, unknown>;

/** A watch on a fake clock: `advance` moves time and fires the reminders that fall due. */
function bed(reminderMs = 60_000) {
  const lines: Line[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(JSON.parse(String(chunk)) as Line);
      cb();
    },
  });
  let now = 1_000_000;
  let due: { at: number; fn: () => void } | undefined;
  const watch = new PeerWatch({
    peer: 'drachtio-server',
    address: '127.0.0.1:9022',
    remedy: 'set DRACHTIO_HOST and DRACHTIO_PORT',
    reminderMs,
    logger: createLogger('debug', stream),
    now: () => now,
    later: (fn, ms) => {
      const timer = { at: now + ms, fn };
      due = timer;
      return () => {
        if (due === timer) due = undefined;
      };
    },
  });
  const advance = (ms: number) => {
    const until = now + ms;
    while (due && due.at <= until) {
      const { at, fn } = due;
      due = undefined;
      now = at;
      fn();
    }
    now = until;
  };
  const at = (level: number) => lines.filter((l) => l.level === level);
  return { watch, lines, advance, at, pending: () => due !== undefined };
}

const WARN = 40;
const INFO = 30;
const DEBUG = 20;

t.test('never reached: one warning naming what to set, the retries at debug', async (t) => {
  const { watch, advance, at } = bed();
  for (let i = 0; i < 50; i++) {
    watch.failed(new Error('connect ECONNREFUSED 127.0.0.1:9022'));
    advance(300);
  }
  t.equal(at(WARN).length, 1, 'one warning for 50 failed attempts in 15 s');
  t.match(at(WARN)[0], {
    msg: 'no drachtio-server at 127.0.0.1:9022: set DRACHTIO_HOST and DRACHTIO_PORT',
    peer: 'drachtio-server',
    reason: 'connect ECONNREFUSED 127.0.0.1:9022',
  });
  t.equal(at(DEBUG).length, 49, 'every later attempt is a debug line');
  t.equal(watch.attempts, 50);
  t.notOk(watch.up);
});

t.test('a reminder each interval while it stays away, with attempts and time', async (t) => {
  const { watch, advance, at } = bed(60_000);
  watch.failed(new Error('refused'));
  for (let s = 0; s < 150; s++) {
    advance(1000);
    watch.failed(new Error('refused'));
  }
  const reminders = at(WARN).slice(1);
  // the reminder falls due before that second's attempt
  t.equal(reminders.length, 2, 'at 60 s and 120 s');
  t.match(reminders[0], {
    msg: /^still no drachtio-server at 127\.0\.0\.1:9022, 60 attempts, down for 60s: set DRACHTIO/,
    attempts: 60,
  });
  t.match(reminders[1], { msg: /, 120 attempts, down for 120s/ });
});

t.test('reached after an outage: one info line with its cost, reminders stop', async (t) => {
  const { watch, advance, at, pending } = bed(10_000);
  watch.failed(new Error('refused'));
  advance(4000);
  watch.failed(new Error('refused'));
  advance(3000);
  watch.reached({ hostport: '127.0.0.1:9022' });
  t.ok(watch.up);
  t.notOk(pending(), 'no reminder left');
  advance(60_000);
  t.equal(at(WARN).length, 1, 'no reminder after it came');
  t.same(
    at(INFO).map((l) => l.msg),
    ['connected to drachtio-server at 127.0.0.1:9022 after 2 failed attempts, down for 7s'],
  );
  t.match(at(INFO)[0], { hostport: '127.0.0.1:9022', attempts: 2 });
  t.equal(watch.attempts, 0, 'counted afresh');
});

t.test('reached at the first attempt: the plain connected line, nothing else', async (t) => {
  const { watch, lines } = bed();
  watch.reached();
  t.same(
    lines.map((l) => [l.level, l.msg]),
    [[INFO, 'connected to drachtio-server at 127.0.0.1:9022']],
  );
});

t.test('lost while up: the caller said so; then quiet retries and reminders', async (t) => {
  const { watch, at } = bed(5000);
  watch.reached();
  watch.failed(new Error('reset'));
  t.match(at(WARN)[0], { msg: /^lost drachtio-server at 127\.0\.0\.1:9022: set/ });

  const other = bed(5000);
  other.watch.reached();
  other.watch.lost();
  other.watch.failed(new Error('refused'));
  other.advance(5000);
  t.same(
    other.at(WARN).map((l) => l.msg),
    [
      'still no drachtio-server at 127.0.0.1:9022, 1 attempts, down for 5s: set DRACHTIO_HOST and DRACHTIO_PORT',
    ],
    'no warning of its own for the loss, the reminder when it stays away',
  );
  other.watch.reached();
  t.match(other.at(INFO).at(-1), { msg: /after 1 failed attempts, down for 5s$/ });
});

t.test('lost and back at the first reconnect: connected again, no attempts to count', async (t) => {
  const { watch, advance, at } = bed();
  watch.reached();
  watch.lost();
  advance(1500);
  watch.reached();
  t.equal(
    at(INFO).at(-1)?.msg,
    'connected to drachtio-server at 127.0.0.1:9022 again, down for 2s',
  );
  t.equal(at(WARN).length, 0, "the loss is the caller's to say");
});

t.test(
  'refused (a wrong secret): its own warning and advice, once, and its own reminders',
  async (t) => {
    const lines: Line[] = [];
    const stream = new Writable({
      write(chunk, _enc, cb) {
        lines.push(JSON.parse(String(chunk)) as Line);
        cb();
      },
    });
    let now = 0;
    let due: (() => void) | undefined;
    const watch = new PeerWatch({
      peer: 'drachtio-server',
      address: '127.0.0.1:9022',
      remedy: 'set DRACHTIO_HOST and DRACHTIO_PORT',
      refusedRemedy: 'set DRACHTIO_SECRET',
      reminderMs: 1000,
      logger: createLogger('debug', stream),
      now: () => now,
      later: (fn) => {
        due = fn;
        return () => undefined;
      },
    });
    watch.failed(new Error('connect ECONNREFUSED'));
    for (let i = 0; i < 5; i++)
      watch.failed(new Error('failed to authenticate to server'), 'refused');
    now = 1000;
    due?.();
    t.same(
      lines.filter((l) => l.level === WARN).map((l) => l.msg),
      [
        'no drachtio-server at 127.0.0.1:9022: set DRACHTIO_HOST and DRACHTIO_PORT',
        'drachtio-server at 127.0.0.1:9022 refuses the connection: set DRACHTIO_SECRET',
        'drachtio-server at 127.0.0.1:9022 still refuses the connection, 6 attempts, down for 1s: set DRACHTIO_SECRET',
      ],
      'the change of problem is news; its repeats are not',
    );
    t.equal(lines.filter((l) => l.level === DEBUG).length, 4);
  },
);

t.test('stop: no reminder after shutdown', async (t) => {
  const { watch, advance, at, pending } = bed(1000);
  watch.failed(new Error('refused'));
  watch.stop();
  t.notOk(pending());
  advance(10_000);
  t.equal(at(WARN).length, 1);
});
