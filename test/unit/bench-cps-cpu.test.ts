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
import { type CallerResult, type Proc, statCpuMs } from '../../bench/cps-procs.js';

/** ms of CPU charged so far, by pid; and of it, the main thread's. */
const ledger = new Map<number, number>();
const mainLedger = new Map<number, number>();
const readLedger = (p: Proc) => ledger.get(p.child.pid ?? 0) ?? 0;
const readMain = (p: Proc) => mainLedger.get(p.child.pid ?? 0) ?? 0;
/** The main thread's share of an app's CPU, by pid (1 unless set). */
const mainShare = new Map<number, number>();

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
      mainLedger.set(pid, (mainLedger.get(pid) ?? 0) + cost * (mainShare.get(pid) ?? 1));
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

t.test(
  'side by side, a part of each app (its main thread) is read over the same rounds',
  async (t) => {
    const heavy = app('heavy', 5, 20, []);
    const light = app('light', 6, 10, [], 1);
    mainShare.set(5, 0.75);
    mainShare.set(6, 0.9);
    const r = await cpuTogether(heavy, light, 2, 10, 1, readLedger, readMain);
    t.same(r.first, [20_000, 20_000]);
    t.same(r.second, [10_000, 30_000], 'the light app had a noisy second round');
    t.same(r.part?.first, [15_000, 15_000], 'three quarters of the heavy app on its main thread');
    t.same(r.part?.second, [9_000, 27_000]);
    t.same(
      r.part?.ratios.map((x) => x.toFixed(4)),
      [(15 / 9).toFixed(4), (15 / 27).toFixed(4)],
    );
    const whole = await cpuTogether(heavy, light, 1, 10, 1, readLedger);
    t.equal(whole.part, undefined, 'no part asked for, none read');
  },
);

t.test('CPU from a /proc stat line, whatever the command name holds', async (t) => {
  const line = (comm: string, utime: number, stime: number) =>
    `4242 (${comm}) S 1 4242 4242 0 -1 4194560 900 0 0 0 ${utime} ${stime} 0 0 20 0 11 0 123 0 0`;
  const plain = statCpuMs(line('node', 150, 50));
  t.ok(plain > 0);
  t.equal(statCpuMs(line('node', 300, 100)), 2 * plain, 'utime and stime both count');
  t.equal(statCpuMs(line('a) S 9 (b', 150, 50)), plain, 'a name with ") " in it is skipped whole');
  t.throws(() => statCpuMs('not a stat line'), /not a \/proc stat line/);
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
