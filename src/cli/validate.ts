/** `calltrack validate [dir]` and `calltrack lookup <number>`: read-only views of the dialplans. */
import { type CompiledSet, loadDialplans, readDialplanDir } from '../dialplan/load.js';
import { buildTable } from '../dialplan/table.js';
import { defaultCountry, dialplanDir, errorLines } from './context.js';
import { CliError, type CliIO } from './io.js';

async function loadOrFail(io: CliIO, dir: string): Promise<CompiledSet> {
  const sources = await readDialplanDir(dir).catch((err: NodeJS.ErrnoException) => {
    throw new CliError(`cannot read dialplan directory ${dir}: ${err.code ?? err.message}`);
  });
  const result = loadDialplans(sources, { now: io.now() });
  if (!result.ok) {
    throw new CliError(
      `${result.errors.length} error(s) in ${dir}`,
      1,
      errorLines(dir, result.errors),
    );
  }
  return result.set;
}

export async function validateCommand(io: CliIO, args: string[]): Promise<number> {
  const dir = dialplanDir(io, args[0]);
  const { summary: s } = await loadOrFail(io, dir);
  io.out(
    `${dir}: valid (${s.files.length} files, ${s.customers.length} customers, ${s.activeNumbers} active and ${s.deactivatedNumbers} deactivated numbers, version ${s.version})`,
  );
  return 0;
}

export async function lookupCommand(
  io: CliIO,
  args: string[],
  flags: { dialplans?: string },
): Promise<number> {
  const raw = args[0];
  if (raw === undefined) throw new CliError('usage: calltrack lookup <number> [--dialplans dir]');
  const dir = dialplanDir(io, flags.dialplans);
  const { decisions, summary, index } = await loadOrFail(io, dir);
  const table = buildTable(decisions, summary, index, defaultCountry(io), io.now());
  io.out(JSON.stringify(table.lookup(raw), null, 2));
  return 0;
}
