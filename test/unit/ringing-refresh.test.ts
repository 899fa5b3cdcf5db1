/**
 * One timer refreshes every caller still waiting, each `everyMs` after its last 18x and never
 * sooner; a caller whose call was answered or cancelled is not refreshed again, and 0 turns
 * refreshing off. The checks hold however late a loaded machine runs the timers.
 */
import t from 'tap';
import { RingingRefresh } from '../../src/sip/ringing-refresh.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A waiting caller whose refreshes are noted, in ms from `start`. */
function leg(ringing: RingingRefresh, start = performance.now()) {
  const at: number[] = [];
  const l = {
    refresh: () => {
      at.push(performance.now() - start);
      // as the inbound leg does: the refresh is an 18x sent
      ringing.sent(l);
    },
  };
  return { l, at };
}

const gaps = (at: number[]) => at.slice(1).map((x, i) => x - (at[i] ?? 0));

t.test('a waiting caller is refreshed every everyMs, not sooner', async (t) => {
  const ringing = new RingingRefresh(100);
  const { l, at } = leg(ringing);
  ringing.sent(l);
  await sleep(350);
  ringing.done(l);
  t.ok(at.length >= 1, `${at.length} refreshes in 350 ms`);
  t.ok((at[0] ?? 0) >= 100, `the first ${at[0]} ms after the 18x`);
  t.ok(
    gaps(at).every((g) => g >= 100),
    `each a full interval after the one before: ${gaps(at)}`,
  );
});

t.test('an 18x sent meanwhile puts the next refresh off', async (t) => {
  const start = performance.now();
  const ringing = new RingingRefresh(100);
  const { l, at } = leg(ringing, start);
  ringing.sent(l);
  await sleep(60);
  const second = performance.now() - start;
  ringing.sent(l);
  await sleep(250);
  ringing.done(l);
  t.ok(at.length >= 1, 'refreshed');
  t.ok((at[0] ?? 0) >= second + 100, `the first ${at[0]} ms in, 100 after the 18x at ${second}`);
});

t.test('an answered or cancelled caller is not refreshed', async (t) => {
  const ringing = new RingingRefresh(50);
  const { l, at } = leg(ringing);
  const other = leg(ringing);
  ringing.sent(l);
  ringing.sent(other.l);
  ringing.done(l);
  await sleep(150);
  ringing.done(other.l);
  const refreshed = other.at.length;
  await sleep(150);
  t.same(at, [], 'the one done at once: never');
  t.ok(refreshed >= 1, 'the other while it waited');
  t.equal(other.at.length, refreshed, 'and not after');
});

t.test('0: never', async (t) => {
  const ringing = new RingingRefresh(0);
  const { l, at } = leg(ringing);
  ringing.sent(l);
  await sleep(50);
  t.same(at, []);
});
