/**
 * `calltrack validate [dir]`, `calltrack validate --carriers <file>` and `calltrack lookup
 * <number> [--at time]`: read-only views of the dialplans and the carriers file, to check before a
 * reload or a restart (and what a number does at a given moment, before an edit goes live).
 */
import { loadCarriers } from '../config/carriers-file.js';
import { ConfigError } from '../config/load.js';
import { errorLines } from '../dialplan/errors.js';
import { type CompiledSet, loadDialplanDir, type OnLoadProgress } from '../dialplan/load.js';
import { buildTable } from '../dialplan/table.js';
import { instantIn, localText, parseAt } from './at-time.js';
import { commandConfig, dialplanDir, numberArg } from './context.js';
import { CliError, type CliIO } from './io.js';
import { loadedProgress, loadProgress } from './load-progress.js';
import { withProgress } from './progress.js';

/** A dialplan folder compiled as the gateway compiles it: the set, or why not (for validate and doctor). */
export type DirCheck =
  | { ok: true; set: CompiledSet }
  | { ok: false; unreadable: string }
  | { ok: false; errors: readonly string[] };

export async function compileDialplanDir(
  dir: string,
  now: Date,
  onProgress?: OnLoadProgress,
): Promise<DirCheck> {
  try {
    const result = await loadDialplanDir(dir, now, undefined, onProgress);
    return result.ok ? result : { ok: false, errors: errorLines(dir, result.errors) };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return {
      ok: false,
      unreadable: `cannot read dialplan directory ${dir}: ${e.code ?? e.message}`,
    };
  }
}

/** Shows progress on the way (a million numbers take a while): stderr only, see progress.ts. */
async function loadOrFail(io: CliIO, dir: string, phase: string): Promise<CompiledSet> {
  return await withProgress(io.progress, async (progress) => {
    const checked = await compileDialplanDir(dir, io.now(), loadProgress(progress, phase));
    if (!checked.ok) {
      if ('unreadable' in checked) throw new CliError(checked.unreadable);
      throw new CliError(`${checked.errors.length} error(s) in ${dir}`, 1, checked.errors);
    }
    progress.done(loadedProgress(phase, checked.set.summary));
    return checked.set;
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

/** The carriers file as the gateway's start reads it: the carriers' names, or why not. */
export type CarriersCheck =
  | { ok: true; names: string[] }
  | { ok: false; unreadable: string }
  | { ok: false; errors: readonly string[] };

export function checkCarriersFile(file: string): CarriersCheck {
  try {
    return { ok: true, names: loadCarriers(file).map((c) => c.name) };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const first = err.problems[0];
    if (err.problems.length === 1 && first?.startsWith('CARRIERS_FILE:'))
      return { ok: false, unreadable: first.replace('CARRIERS_FILE: ', '') };
    return { ok: false, errors: err.problems };
  }
}

/** The line a valid carriers file earns, in `validate --carriers` and `doctor` alike. */
export function carriersValid(file: string, names: readonly string[]): string {
  return `${file}: valid (${names.length} ${names.length === 1 ? 'carrier' : 'carriers'}: ${names.join(', ')})`;
}

/** Every problem as `file:line:col: message`. */
export function validateCarriersCommand(io: CliIO, file: string): number {
  const checked = checkCarriersFile(file);
  if (!checked.ok) {
    if ('unreadable' in checked) throw new CliError(checked.unreadable);
    throw new CliError(`${checked.errors.length} error(s) in ${file}`, 1, checked.errors);
  }
  io.out(carriersValid(file, checked.names));
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
