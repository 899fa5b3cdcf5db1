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

t.test('the status that tells the caller why every destination failed', async (t) => {
  t.same(finalAnswer(['busy', 'busy']), { status: 486, outcome: 'busy' });
  t.same(finalAnswer(['no-answer']), { status: 480, outcome: 'no-answer' });
  t.same(finalAnswer(['busy', 'no-answer']), { status: 480, outcome: 'no-answer' });
  t.same(
    finalAnswer(['unreachable', 'unreachable']),
    { status: 503, outcome: 'unreachable' },
    'a dead trunk is not a missed call',
  );
  t.same(
    finalAnswer(['declined', 'no-answer']),
    { status: 480, outcome: 'no-answer' },
    'a dealer who hung up during the whisper missed the call',
  );
  t.same(finalAnswer(['busy', 'unreachable']), { status: 502, outcome: 'failed' });
  t.same(finalAnswer(['rejected']), { status: 502, outcome: 'failed' });
  t.same(finalAnswer([]), { status: 503, outcome: 'failed' });
});
