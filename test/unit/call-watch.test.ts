/**
 * A connected call's timer: legs asked every keepalive whether they know the call, the first one
 * that does not ends it (`caller-lost` before `dealer-lost`), a leg not up is not asked, the
 * maximum duration still ends a call whose legs answer, and 0 asks nobody.
 */
import t from 'tap';
import { watchCall } from '../../src/call/call-watch.js';
import type { EndedBy } from '../../src/call/ports.js';
import { fakeLeg } from '../helpers/fake-leg.js';

/** A leg that answers `there` until `lose()`, counting the questions. */
function leg(name: string) {
  const l = Object.assign(fakeLeg(`${name}-sdp`), { asked: 0, there: true });
  l.alive = async () => {
    l.asked++;
    return l.there;
  };
  return l;
}

function watched(o: { keepaliveMs: number; maxDurationMs: number; dealerUp?: boolean }) {
  const caller = leg('caller');
  const dealer = leg('dealer');
  let end: (by: EndedBy) => void = () => undefined;
  const ended = new Promise<EndedBy>((resolve) => {
    end = resolve;
  });
  const stop = watchCall({
    maxDurationMs: o.maxDurationMs,
    keepaliveMs: o.keepaliveMs,
    legs: () => ({ caller, ...(o.dealerUp !== false && { dealer }) }),
    end,
  });
  return { caller, dealer, ended, stop };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
// the watch's timers are unref'd (a call never holds the process up): something else must
const hold = setInterval(() => undefined, 1000);
t.teardown(() => clearInterval(hold));

t.test(
  'both legs asked each interval while they answer; a lost caller ends the call',
  async (t) => {
    const w = watched({ keepaliveMs: 20, maxDurationMs: 60_000 });
    await sleep(75);
    t.ok(w.caller.asked >= 2, `the caller was asked again and again (${w.caller.asked})`);
    t.equal(w.dealer.asked, w.caller.asked, 'the dealer as often');
    w.caller.there = false;
    t.equal(await w.ended, 'caller-lost');
    w.stop();
  },
);

t.test('a dealer that no longer knows the call: dealer-lost', async (t) => {
  const w = watched({ keepaliveMs: 20, maxDurationMs: 60_000 });
  w.dealer.there = false;
  t.equal(await w.ended, 'dealer-lost');
  w.stop();
});

t.test('a leg not up (a transferor gone) is not asked', async (t) => {
  const w = watched({ keepaliveMs: 20, maxDurationMs: 60_000, dealerUp: false });
  w.dealer.there = false;
  await sleep(75);
  t.equal(w.dealer.asked, 0);
  t.ok(w.caller.asked >= 2);
  w.stop();
});

t.test('the maximum duration ends a call whose legs answer; 0 asks nobody', async (t) => {
  const asked = watched({ keepaliveMs: 20, maxDurationMs: 90 });
  t.equal(await asked.ended, 'max-duration');
  t.ok(asked.caller.asked >= 2, 'asked on the way');
  const never = watched({ keepaliveMs: 0, maxDurationMs: 60 });
  t.equal(await never.ended, 'max-duration');
  t.equal(never.caller.asked + never.dealer.asked, 0);
});

t.test('stopped: nobody is asked and nothing ends', async (t) => {
  const w = watched({ keepaliveMs: 10, maxDurationMs: 30 });
  w.stop();
  const ended = await Promise.race([w.ended, sleep(80).then(() => 'still up')]);
  t.equal(ended, 'still up');
  t.equal(w.caller.asked, 0);
});
