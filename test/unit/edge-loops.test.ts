import t from 'tap';
import {
  forwardedMaxForwards,
  loopsBack,
  NumberCalls,
  targetHost,
  trackingHeaders,
} from '../../src/edge/loops.js';

const TRACKING = '+493025550101';

t.test("Max-Forwards: the caller's less one; 0 is not forwarded", async (t) => {
  t.equal(forwardedMaxForwards('5'), 4);
  t.equal(forwardedMaxForwards(' 70 '), 69);
  t.equal(forwardedMaxForwards('1'), 0, 'the next hop gets 0 and must not forward it');
  t.equal(forwardedMaxForwards('0'), undefined, '483');
  t.equal(forwardedMaxForwards(undefined), 69, 'absent: as if 70 (RFC 3261 8.1.1.6)');
  t.equal(forwardedMaxForwards('many'), 69, 'unreadable: as if absent');
  t.equal(forwardedMaxForwards('999'), 254, 'capped at the 255 a header may say');
});

t.test('a call that carries its own tracking number is a loop', async (t) => {
  const ours = trackingHeaders('history-info', TRACKING, 'gw.example', 'sip:dealer@pbx.example');
  t.ok(loopsBack({ historyInfo: ours['History-Info'] }, TRACKING, '49'), 'our History-Info, back');
  const forwarded = `${ours['History-Info']},<sip:${TRACKING}@carrier.example>;index=1.1.1`;
  t.ok(loopsBack({ historyInfo: forwarded }, TRACKING, '49'), 'with the PBX entry after it');
  const div = trackingHeaders('diversion', TRACKING, 'gw.example', 'sip:dealer@pbx.example');
  t.ok(loopsBack({ diversion: div.Diversion }, TRACKING, '49'), 'our Diversion, back');
  t.ok(
    loopsBack({ diversion: '<tel:030-25550101>;reason=unconditional' }, TRACKING, '49'),
    'national tel',
  );
  t.notOk(
    loopsBack({ historyInfo: `<sip:${TRACKING}@gw.example>;index=1` }, TRACKING, '49'),
    'a carrier naming our number as the current target (the last entry) is an ordinary call',
  );
  t.notOk(
    loopsBack({ diversion: '<sip:+493099999999@x>;reason=user-busy' }, TRACKING, '49'),
    'diverted from someone else',
  );
  t.notOk(loopsBack({}, TRACKING, '49'));
});

t.test('the dealer leg names the tracking number as the customer chose', async (t) => {
  t.same(trackingHeaders('none', TRACKING, 'gw.example', 'sip:d@pbx'), {});
  t.same(trackingHeaders('diversion', TRACKING, 'gw.example:5060', 'sip:d@pbx'), {
    Diversion: '<sip:+493025550101@gw.example:5060;user=phone>;reason=unconditional;counter=1',
  });
  t.same(trackingHeaders('history-info', TRACKING, 'gw.example', 'sip:d@pbx;transport=tcp'), {
    'History-Info':
      '<sip:+493025550101@gw.example;user=phone>;index=1,<sip:d@pbx;transport=tcp;cause=302>;index=1.1;mp=1',
  });
  t.equal(targetHost('sip:+493025550101@192.0.2.1:5060;user=phone'), '192.0.2.1:5060');
  t.equal(targetHost('sip:+493025550101@[2001:db8::1]'), '[2001:db8::1]');
  t.equal(targetHost('tel:+493025550101'), 'calltrack.invalid');
  t.equal(targetHost('sip:x@h>,<sip:evil'), 'calltrack.invalid', 'nothing that breaks out');
});

t.test('calls per tracking number: a cap, and every call leaves once', async (t) => {
  const n = new NumberCalls();
  t.ok(n.enter(TRACKING, 2));
  t.ok(n.enter(TRACKING, 2));
  t.notOk(n.enter(TRACKING, 2), 'the third gets 486');
  t.ok(n.enter('+493025550102', 2), 'another number has its own count');
  n.leave(TRACKING);
  t.ok(n.enter(TRACKING, 2), 'room again after one ended');
  t.ok(n.enter('+493025550103', undefined), 'no cap: no limit');
  n.leave(TRACKING);
  n.leave(TRACKING);
  t.equal(n.count(TRACKING), 0);
});
