/**
 * `calltrack export`: a customer's call history from the record stream as CSV (RFC 4180, header
 * row) or JSON (one array, one record per line), written page by page to stdout or `--out`.
 * While stderr is a terminal a line `exported N records` is updated in place there.
 */
import type { Redis } from 'ioredis';
import { type ExportQuery, exportPages } from '../records/export.js';
import { type ExportFormat, exportChunks } from '../records/export-text.js';
import { CliError, type CliIO } from './io.js';
import { fileText, stdoutText, type TextOut } from './output.js';
import { formatArg, type PeriodFlags, periodArgs } from './period.js';
import { withRedis } from './redis.js';

const USAGE =
  'usage: calltrack export --customer <id> --from YYYY-MM-DD --to YYYY-MM-DD --format csv|json [--out file]';

/** Tests (and other front ends) may take the progress themselves; else it goes to a terminal. */
export type ProgressIO = { progress?: (exported: number, done: boolean) => void };

export async function exportCommand(
  io: CliIO & ProgressIO,
  args: string[],
  flags: PeriodFlags & { out?: string },
): Promise<number> {
  if (args.length > 0) throw new CliError(`unexpected '${args[0]}'\n${USAGE}`);
  const period = periodArgs(flags, USAGE);
  const format = formatArg<ExportFormat>(flags.format, ['csv', 'json'], undefined);
  const progress = io.progress ?? terminalProgress(process.stderr);
  await withRedis(io, async ({ redis, stream }) => {
    const out = flags.out ? await fileText(flags.out) : stdoutText(io);
    try {
      await writeExport(redis, { ...period, stream }, format, out, progress);
      await out.close();
    } catch (err) {
      await out.abort();
      throw err;
    }
  });
  return 0;
}

async function writeExport(
  redis: Redis,
  query: ExportQuery,
  format: ExportFormat,
  out: TextOut,
  progress: (exported: number, done: boolean) => void,
): Promise<void> {
  for await (const chunk of exportChunks(exportPages(redis, query), format, progress))
    await out.write(chunk);
}

/** `exported N records`, updated in place, when `stream` is a terminal; else nothing. */
export function terminalProgress(stream: {
  isTTY?: boolean;
  write(text: string): unknown;
}): (exported: number, done: boolean) => void {
  if (!stream.isTTY) return () => undefined;
  return (n, done) => stream.write(`\rexported ${n} records${done ? '\n' : ''}`);
}
