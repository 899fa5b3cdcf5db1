/**
 * The alternating CPU rounds of `bench/cps`: the two apps take turns going first, each round's
 * figures stay with their app whatever the order, and the median is the middle of the rounds.
 * The warm-up before them alternates too, in blocks of a round's length, the second app last.
 * Side by side (`bench/cps-ab`'s default), both apps take their calls at the same time.
 * CPU is read from a ledger each fake app charges, not from /proc: a busy loop measured while
 * the rest of the suite runs beside it gave ratios from 1.3 to 3.2 where 2 was meant.
 */
import type { ChildProcess } from 'node:child_process';
import t from 'tap';
import { cpuRounds, cpuTogether, meanAndError, median, warmUp } from '../../bench/cps-cpu.js';
import type { CallerResult, Proc } from '../../bench/cps-procs.js';

/** ms of CPU charged so far, by pid. */
const ledger = new Map<number, number>();
const readLedger = (p: Proc) => ledger.get(p.child.pid ?? 0) ?? 0;

/**
 * An app whose calls cost `msPerCall` of CPU (more in the round `slowRound`, as a noisy
 * neighbour would make it), recording the order it ran in.
 */
function app(
  name: string,
  pid: number,
  msPerCall: number,
  order: string[],
  slowRound = -1,
  running?: Set<string>,
) {
  let blocks = 0;
  return {
    proc: { child: { pid } as ChildProcess } as Proc,
    call: async (rate: number, seconds: number): Promise<CallerResult> => {
      order.push(running ? `${name} starts beside ${[...running].join(',') || 'nobody'}` : name);
      running?.add(name);
      // the other app's calls start while these are still under way
      await new Promise((resolve) => setImmediate(resolve));
      running?.delete(name);
      const round = blocks++;
      const calls = rate * seconds;
      const cost = calls * msPerCall * (round === slowRound ? 3 : 1);
      ledger.set(pid, (ledger.get(pid) ?? 0) + cost);
      return {
        exitCode: 0,
        created: calls,
        successful: calls,
        failed: 0,
        wallMs: 0,
        errors: 0,
        firstError: '',
        answerMs: [],
      };
    },
  };
}

t.test('the apps alternate, and each figure stays with its app', async (t) => {
  const order: string[] = [];
  const heavy = app('heavy', 1, 20, order, 2);
  const light = app('light', 2, 10, order);
  const r = await cpuRounds(heavy, light, 4, 10, 1, readLedger);
  t.same(order, ['heavy', 'light', 'light', 'heavy', 'heavy', 'light', 'light', 'heavy']);
  t.same(r.first, [20_000, 20_000, 60_000, 20_000], 'µs per call of the first app, by round');
  t.same(r.second, [10_000, 10_000, 10_000, 10_000], 'the second app, also when it went first');
  t.same(r.ratios, [2, 2, 6, 2]);
  t.equal(median(r.ratios), 2, 'one noisy round does not move the median');
});

t.test('side by side, both apps take their calls at once, the first alternating', async (t) => {
  const order: string[] = [];
  const running = new Set<string>();
  const heavy = app('heavy', 3, 20, order, 1, running);
  const light = app('light', 4, 10, order, -1, running);
  const r = await cpuTogether(heavy, light, 3, 10, 1, readLedger);
  t.same(order, [
    'heavy starts beside nobody',
    'light starts beside heavy',
    'light starts beside nobody',
    'heavy starts beside light',
    'heavy starts beside nobody',
    'light starts beside heavy',
  ]);
  t.same(r.first, [20_000, 60_000, 20_000], 'µs per call of the first app, by round');
  t.same(r.second, [10_000, 10_000, 10_000], 'the second app, also when it started first');
  t.same(r.ratios, [2, 6, 2]);
});

t.test('the warm-up alternates in blocks, so neither app waits out the other whole', async (t) => {
  const blocks: string[] = [];
  const fake = (name: string, failedPerBlock: number) => ({
    proc: { child: { pid: 0 } as ChildProcess } as Proc,
    call: async (rate: number, seconds: number): Promise<CallerResult> => {
      blocks.push(`${name} ${seconds}s`);
      const calls = rate * seconds;
      return {
        exitCode: 0,
        created: calls,
        successful: calls - failedPerBlock,
        failed: failedPerBlock,
        wallMs: 0,
        errors: 0,
        firstError: '',
        answerMs: [],
      };
    },
  });
  const warmed = await warmUp(fake('gateway', 1), fake('baseline', 0), 10, 9, 4);
  t.same(
    blocks,
    ['gateway 4s', 'baseline 4s', 'gateway 4s', 'baseline 4s', 'gateway 1s', 'baseline 1s'],
    'the last block is as long as what is left, and the second app goes last',
  );
  t.same(warmed, [
    { successful: 87, failed: 3 },
    { successful: 90, failed: 0 },
  ]);
  blocks.length = 0;
  await warmUp(fake('gateway', 0), fake('baseline', 0), 10, 0, 4);
  t.same(blocks, [], 'no warm-up, no calls');
});

t.test('mean and standard error of the rounds', async (t) => {
  const r = meanAndError([1.1, 1.3, 1.2, 1.2]);
  t.equal(r.mean.toFixed(6), '1.200000');
  // deviation sqrt(0.02 / 3), over sqrt(4)
  t.equal(r.stderr.toFixed(6), (Math.sqrt(0.02 / 3) / 2).toFixed(6));
  t.equal(meanAndError([1, 1, 1]).stderr, 0, 'no spread, no error');
  t.ok(Number.isNaN(meanAndError([1.2]).stderr), 'one round tells no spread');
});

t.test('median', async (t) => {
  t.equal(median([3, 1, 2]), 2);
  t.equal(median([4, 1, 3, 2]), 2.5);
  t.equal(median([7]), 7);
});
