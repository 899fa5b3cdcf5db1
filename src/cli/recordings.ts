/**
 * `calltrack recordings purge [--dir d] [--today YYYY-MM-DD]`: deletes the recordings past their
 * number's retention days now (the gateway does the same every RECORDING_PURGE_INTERVAL_MS).
 */
import { loadConfig } from '../config/load.js';
import { purgeRecordings } from '../recordings/store.js';
import { todayArg } from './context.js';
import { CliError, type CliIO } from './io.js';

const USAGE = `usage: calltrack recordings purge [--dir <dir>] [--today YYYY-MM-DD]`;

export type RecordingsFlags = { dir?: string; today?: string };

export async function recordingsCommand(
  io: CliIO,
  args: string[],
  flags: RecordingsFlags,
): Promise<number> {
  if (args.length !== 1 || args[0] !== 'purge') throw new CliError(USAGE);
  const dir = flags.dir ?? loadConfig(io.env).recordings.dir;
  const today = todayArg(io, flags.today);
  const result = await purgeRecordings(dir, today.getTime());
  for (const file of result.deleted) io.out(`deleted ${file}`);
  for (const problem of result.problems) io.err(`calltrack: kept, unreadable sidecar ${problem}`);
  io.out(`${result.deleted.length} deleted, ${result.kept} kept (${dir})`);
  return result.problems.length > 0 ? 1 : 0;
}
