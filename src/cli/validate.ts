/**
 * `calltrack validate [dir]`, `calltrack validate --carriers <file>` and `calltrack lookup
 * <number> [--at time]`: read-only views of the dialplans and the carriers file, to check before a
 * reload or a restart (and what a number does at a given moment, before an edit goes live).
 */
import { loadCarriers } from '../config/carriers-file.js';
import { ConfigError } from '../config/load.js';
import { errorLines } from '../dialplan/errors.js';
import { type CompiledSet, loadDialplanDir } from '../dialplan/load.js';
import { buildTable } from '../dialplan/table.js';
import { instantIn, localText, parseAt } from './at-time.js';
import { commandConfig, dialplanDir, numberArg } from './context.js';
import { CliError, type CliIO } from './io.js';
import { loadedProgress, loadProgress } from './load-progress.js';
import { withProgress } from './progress.js';

/** Shows progress on the way (a million numbers take a while): stderr only, see progress.ts. */
async function loadOrFail(io: CliIO, dir: string, phase: string): Promise<CompiledSet> {
  return await withProgress(io.progress, async (progress) => {
    const result = await loadDialplanDir(
      dir,
      io.now(),
      undefined,
      loadProgress(progress, phase),
    ).catch((err: NodeJS.ErrnoException) => {
      throw new CliError(`cannot read dialplan directory ${dir}: ${err.code ?? err.message}`);
    });
    if (!result.ok) {
      throw new CliError(
        `${result.errors.length} error(s) in ${dir}`,
        1,
        errorLines(dir, result.errors),
      );
    }
    progress.done(loadedProgress(phase, result.set.summary));
    return result.set;
  });
}

export async function validateCommand(io: CliIO, args: string[]): Promise<number> {
  const dir = dialplanDir(commandConfig(io), args[0]);
  const { summary: s } = await loadOrFail(io, dir, 'validating');
  io.out(
    `${dir}: valid (${s.files.length} files, ${s.customers.length} customers, ${s.activeNumbers} active and ${s.deactivatedNumbers} deactivated numbers, version ${s.version})`,
  );
  return 0;
}

/** The carriers file as the gateway's start reads it: every problem as `file:line:col: message`. */
export function validateCarriersCommand(io: CliIO, file: string): number {
  let names: string[];
  try {
    names = loadCarriers(file).map((c) => c.name);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const unreadable = err.problems.length === 1 && err.problems[0]?.startsWith('CARRIERS_FILE:');
    if (unreadable) throw new CliError(err.problems[0]!.replace('CARRIERS_FILE: ', ''));
    throw new CliError(`${err.problems.length} error(s) in ${file}`, 1, err.problems);
  }
  io.out(`${file}: valid (${names.length} carriers: ${names.join(', ')})`);
  return 0;
}

export async function lookupCommand(
  io: CliIO,
  args: string[],
  flags: { dialplans?: string; at?: string },
): Promise<number> {
  const raw = args[0];
  if (raw === undefined)
    throw new CliError('usage: calltrack lookup <number> [--at time] [--dialplans dir]');
  const at = flags.at === undefined ? undefined : parseAt(flags.at);
  const config = commandConfig(io);
  // a number the gateway cannot read (malformed, ambiguous) is the admin's typo: say so, exit 2
  numberArg(config, raw, 'number');
  const dir = dialplanDir(config, flags.dialplans);
  const { decisions, summary, index } = await loadOrFail(io, dir, 'loading dialplans');
  const table = buildTable(decisions, summary, index, config().defaultCountry, io.now());
  const decision = table.lookup(raw);
  if (decision.kind !== 'forward') {
    io.out(JSON.stringify(decision, null, 2));
    return 0;
  }
  // a number without hours has no zone of its own: its country's, for reading --at and printing
  const zone =
    table.timezone(decision) ??
    (decision.number.startsWith('+43') ? 'Europe/Vienna' : 'Europe/Berlin');
  const ms = at ? instantIn(at, zone) : io.now().getTime();
  const plan = table.plan(decision, ms);
  const moment = { at: new Date(ms).toISOString(), local: localText(ms, zone) };
  io.out(JSON.stringify({ ...decision, ...moment, plan }, null, 2));
  return 0;
}
