/**
 * The alternating CPU rounds of `bench/cps`: the two apps take turns going first, each round's
 * figures stay with their app whatever the order, and the median is the middle of the rounds.
 */
import type { ChildProcess } from 'node:child_process';
import t from 'tap';
import { cpuRounds, median } from '../../bench/cps-cpu.js';
import type { CallerResult, Proc } from '../../bench/cps-procs.js';

/** An app whose calls burn `msPerCall` of this process's CPU, recording the order it ran in. */
function app(name: string, msPerCall: number, order: string[]) {
  return {
    proc: { child: { pid: process.pid } as ChildProcess } as Proc,
    call: async (rate: number, seconds: number): Promise<CallerResult> => {
      order.push(name);
      const calls = rate * seconds;
      const end = process.cpuUsage().user + calls * msPerCall * 1000;
      while (process.cpuUsage().user < end);
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
  const r = await cpuRounds(app('heavy', 20, order), app('light', 10, order), 4, 10, 1);
  t.same(order, ['heavy', 'light', 'light', 'heavy', 'heavy', 'light', 'light', 'heavy']);
  t.equal(r.ratios.length, 4);
  // /proc counts in clock ticks (10 ms): 200 ms against 100 ms of CPU per block
  for (const ratio of r.ratios) t.ok(ratio > 1.5 && ratio < 2.6, `ratio ${ratio} near 2`);
  t.ok(median(r.first) > median(r.second), 'the heavy app is first');
});

t.test('median', async (t) => {
  t.equal(median([3, 1, 2]), 2);
  t.equal(median([4, 1, 3, 2]), 2.5);
  t.equal(median([7]), 7);
});
