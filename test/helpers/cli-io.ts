/** Runs the calltrack CLI in-process with captured output and a fixed clock (and, if given, where progress goes). */
import type { ProgressOutput } from '../../src/cli/progress.js';
import { runCli } from '../../src/cli/run.js';

export type CliRun = { code: number; out: string[]; err: string[] };

export async function cli(
  argv: string[],
  today = '2026-11-22T10:00:00Z',
  env: Record<string, string> = {},
  progress?: ProgressOutput,
): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, {
    out: (l) => out.push(...l.split('\n')),
    err: (l) => err.push(...l.split('\n')),
    now: () => new Date(today),
    env,
    ...(progress && { progress }),
  });
  return { code, out, err };
}
