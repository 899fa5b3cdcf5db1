/**
 * The rate ladder both call-rate benchmarks climb: each contender runs each rate in turn (the
 * order alternating per rate, so neither always goes first on a warm machine); a rate with
 * faults is tried once more before it counts; a contender stops at its first rate that fails.
 */
import type { CallerResult } from './cps-procs.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export type Attempt<R> = { faults: string[]; result: R; note: string };

/**
 * One rate, at most twice: the result of a clean attempt, or undefined when both had faults.
 * `checkAlive` throws when a process of the bed died: then no figure means anything.
 */
export async function stepTwice<R>(
  label: string,
  log: (line: string) => void,
  run: () => Promise<Attempt<R>>,
  checkAlive: () => void,
): Promise<R | undefined> {
  for (let n = 1; n <= 2; n++) {
    const a = await run();
    log(`${label}: ${a.faults.length ? a.faults.join('; ') : a.note}`);
    await sleep(a.faults.length ? 1000 : 300);
    checkAlive();
    if (a.faults.length === 0) return a.result;
  }
  return undefined;
}

/** The results of every rate each contender passed, up to its first failed rate. */
export async function climb<C, R>(
  contenders: readonly C[],
  rates: readonly number[],
  step: (contender: C, rate: number) => Promise<R | undefined>,
): Promise<Map<C, Map<number, R>>> {
  const passed = new Map<C, Map<number, R>>(contenders.map((c) => [c, new Map()]));
  let climbing = [...contenders];
  for (const [i, rate] of rates.entries()) {
    const turn = i % 2 === 0 ? climbing : [...climbing].reverse();
    for (const contender of turn) {
      const result = await step(contender, rate);
      if (result !== undefined) passed.get(contender)?.set(rate, result);
      else climbing = climbing.filter((c) => c !== contender);
    }
    if (climbing.length === 0) break;
  }
  return passed;
}

/** The highest rate a contender passed, 0 for none. */
export function highest(passed: ReadonlyMap<number, unknown> | undefined): number {
  return Math.max(0, ...(passed?.keys() ?? []));
}

/**
 * The caller's share of a step's faults: calls that did not succeed, and a step that took longer
 * than its calls plus `lateMs` (the rate was not kept).
 */
export function callFaults(
  r: CallerResult,
  rate: number,
  seconds: number,
  callMs: number,
  lateMs: number,
): string[] {
  const calls = Math.round(rate * seconds);
  const faults: string[] = [];
  if (r.failed > 0 || r.successful < calls)
    faults.push(
      `${r.failed} failed, ${r.successful}/${calls} successful${r.firstError ? ` (${r.firstError})` : ''}`,
    );
  const budget = seconds * 1000 + callMs + lateMs;
  if (r.wallMs > budget)
    faults.push(`took ${Math.round(r.wallMs)} ms (> ${budget} ms): rate not kept`);
  return faults;
}
