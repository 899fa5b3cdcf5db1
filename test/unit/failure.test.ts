import t from 'tap';
import { causeOf, finalAnswer } from '../../src/call/failure.js';

t.test('what a dealer status means', async (t) => {
  t.same([486, 600].map(causeOf), ['busy', 'busy']);
  t.same([408, 480].map(causeOf), ['no-answer', 'no-answer']);
  t.same([500, 503, 404, 410].map(causeOf), [
    'unreachable',
    'unreachable',
    'unreachable',
    'unreachable',
  ]);
  t.same([403, 488].map(causeOf), ['rejected', 'rejected']);
  t.same([401, 407].map(causeOf), ['auth-failed', 'auth-failed'], 'a challenge kept: own cause');
});

const BUSY = 'Q.850;cause=17;text="User busy"';
const NO_ANSWER = 'Q.850;cause=19;text="No answer from user (user alerted)"';
const OUT_OF_ORDER = 'Q.850;cause=27;text="Destination out of order"';
const UNSPECIFIED = 'Q.850;cause=31;text="Normal, unspecified"';

t.test('every destination failed: the status, the record outcome and the Reason', async (t) => {
  t.same(finalAnswer(['busy', 'busy']), { status: 486, outcome: 'busy', reason: BUSY });
  t.same(finalAnswer(['no-answer']), { status: 480, outcome: 'no-answer', reason: NO_ANSWER });
  t.same(finalAnswer(['busy', 'no-answer']), {
    status: 480,
    outcome: 'no-answer',
    reason: NO_ANSWER,
  });
  t.same(
    finalAnswer(['declined', 'no-answer']),
    { status: 480, outcome: 'no-answer', reason: NO_ANSWER },
    'a dealer who hung up during the whisper missed the call',
  );
  t.same(
    finalAnswer(['unreachable', 'unreachable']),
    { status: 480, outcome: 'unreachable', reason: OUT_OF_ORDER },
    'a dead trunk is not a missed call: the outcome and the cause say so, the status stays 480',
  );
  t.same(finalAnswer(['busy', 'unreachable']), {
    status: 480,
    outcome: 'failed',
    reason: UNSPECIFIED,
  });
  t.same(finalAnswer(['rejected']), { status: 480, outcome: 'failed', reason: UNSPECIFIED });
  t.same(finalAnswer([]), { status: 480, outcome: 'failed', reason: UNSPECIFIED });
});

t.test('no failure shape gives a status an upstream route-advances on', async (t) => {
  const causes = ['busy', 'no-answer', 'unreachable', 'rejected', 'declined', 'cancelled'] as const;
  const shapes = [
    [],
    ...causes.map((c) => [c]),
    ...causes.flatMap((a) => causes.map((b) => [a, b])),
  ];
  for (const shape of shapes) {
    const { status, reason }: { status: number; reason: string } = finalAnswer(shape);
    t.ok(status < 500 && status !== 408, `${shape.join('+') || 'none'}: ${status}, not 5xx or 408`);
    t.match(reason, /^Q\.850;cause=\d+;text="[^"]+"$/, 'a Q.850 Reason (RFC 3326)');
  }
});
