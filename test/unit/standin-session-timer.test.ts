// The session timer rules read from drachtio-server v0.9.10, without sockets: what the server
// adds to the app's 200, who refreshes, and what a re-INVITE or UPDATE from the peer does.
import t from 'tap';
import { type Dialog, DialogStore } from '../standin/dialogs.js';
import { peerRefresh, timerForAnswer } from '../standin/session-timer.js';
import { parseSip, type SipHeader, type SipRequest } from '../standin/sip-message.js';
import type { SessionTimerConfig, Stack } from '../standin/stack.js';
import { TimerRegistry } from '../standin/timers.js';

function stackWith(session: Partial<SessionTimerConfig> = {}): Stack {
  const sessionTimer = { minSE: 90, jitter: 0, defaultRefresher: 'none' as const, ...session };
  return {
    config: { sessionTimer },
    timers: new TimerRegistry(),
    dialogs: new DialogStore(),
  } as unknown as Stack;
}

function invite(...headers: string[]): SipRequest {
  const text = [
    'INVITE sip:a@127.0.0.1 SIP/2.0',
    'Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-1',
    'From: <sip:b@127.0.0.1>;tag=1',
    'To: <sip:a@127.0.0.1>',
    'Call-ID: c1',
    'CSeq: 1 INVITE',
    ...headers,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
  const parsed = parseSip(Buffer.from(text));
  if (!parsed.ok || parsed.message.kind !== 'request') throw new Error('bad test request');
  return parsed.message;
}

const app = (value: string): SipHeader[] => [{ name: 'Session-Expires', value }];

t.test('the 200 to an INVITE: offer, default refresher, the app’s own header', async (t) => {
  const stack = stackWith();
  t.equal(timerForAnswer(stack, invite(), []), undefined, 'no offer, no timer');
  t.same(timerForAnswer(stack, invite('Session-Expires: 1800;refresher=uac'), []), {
    header: { name: 'Session-Expires', value: '1800;refresher=uac' },
    seconds: 1800,
    weRefresh: false,
  });
  t.same(
    timerForAnswer(stack, invite('x: 30;refresher=uas'), []),
    {
      header: { name: 'Session-Expires', value: '90;refresher=uas' },
      seconds: 90,
      weRefresh: true,
    },
    'raised to Min-SE, never refused; compact form read',
  );
  t.equal(
    timerForAnswer(stack, invite('Session-Expires: 1800'), []),
    undefined,
    'no refresher and the default `none`: no timer, no header',
  );
  t.same(
    timerForAnswer(stackWith({ defaultRefresher: 'uas' }), invite('Session-Expires: 1800'), [])
      ?.header,
    { name: 'Session-Expires', value: '1800;refresher=uas' },
    'the configured default refresher',
  );
  t.same(
    timerForAnswer(stack, invite('Session-Expires: 1800;refresher=uac'), app('600;refresher=uas')),
    { header: undefined, seconds: 600, weRefresh: true },
    'the app’s Session-Expires wins and goes out as the app wrote it',
  );
  t.same(
    timerForAnswer(stack, invite(), app('60')),
    { header: undefined, seconds: 90, weRefresh: false },
    'the app’s interval is raised to Min-SE too; without refresher the peer refreshes',
  );
});

function dialog(stack: Stack): Dialog {
  const d = { id: 'c1;from-tag=1', seenAckBranches: new Set<string>() } as unknown as Dialog;
  stack.dialogs.add(d);
  return d;
}

t.test('a re-INVITE or UPDATE from the peer re-arms, drops or refuses the timer', async (t) => {
  const stack = stackWith({ minSE: 90 });
  t.teardown(() => stack.timers.clearAll());
  const d = dialog(stack);
  t.equal(peerRefresh(stack, d, invite('Session-Expires: 30')), false, 'below Min-SE: 422');
  t.equal(peerRefresh(stack, d, invite('Session-Expires: 120;refresher=uac')), true);
  t.same([d.sessionTimer?.seconds, d.sessionTimer?.weRefresh], [120, false], 'they refresh');
  t.equal(peerRefresh(stack, d, invite('Session-Expires: 120')), true);
  t.equal(d.sessionTimer?.weRefresh, true, 'no refresher while they refreshed: now we do');
  t.equal(peerRefresh(stack, d, invite('Session-Expires: 120')), true);
  t.equal(d.sessionTimer?.weRefresh, false, 'and back: the roles swap each time');
  t.equal(peerRefresh(stack, d, invite()), true);
  t.equal(d.sessionTimer, undefined, 'a request without Session-Expires ends the session timer');
});
