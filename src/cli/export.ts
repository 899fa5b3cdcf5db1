/**
 * `calltrack export`: a customer's call history from the record stream as CSV (RFC 4180, header
 * row) or JSON (one array, one record per line), written page by page to stdout or `--out`.
 * Progress on stderr (progress.ts): entries read, records exported, how far into the period.
 */

import { type ExportQuery, exportPages } from '../records/export.js';
import { type ExportFormat, exportChunks } from '../records/export-text.js';
import type { RedisClient } from '../redis/connect.js';
import { CliError, type CliIO } from './io.js';
import { fileText, stdoutText, type TextOut } from './output.js';
import { formatArg, type PeriodFlags, periodArgs } from './period.js';
import { type Progress, type ProgressReporter, withProgress } from './progress.js';
import { withRedis } from './redis.js';

const USAGE =
  'usage: calltrack export --customer <id> --from YYYY-MM-DD --to YYYY-MM-DD --format csv|json [--out file]';

export async function exportCommand(
  io: CliIO,
  args: string[],
  flags: PeriodFlags & { out?: string },
): Promise<number> {
  if (args.length > 0) throw new CliError(`unexpected '${args[0]}'\n${USAGE}`);
  const period = periodArgs(flags, USAGE);
  const format = formatArg<ExportFormat>(flags.format, ['csv', 'json'], undefined);
  await withRedis(io, async ({ redis, stream }) => {
    const out = flags.out ? await fileText(flags.out) : stdoutText(io);
    await withProgress(io.progress, async (progress) => {
      try {
        await writeExport(redis, { ...period, stream }, format, out, progress);
        await out.close();
      } catch (err) {
        await out.abort();
        throw err;
      }
    });
  });
  return 0;
}

/**
 * Progress by the stream entries read (most may be other customers'), and how far into the
 * period they are by time; the records exported so far beside them.
 */
async function writeExport(
  redis: RedisClient,
  query: ExportQuery,
  format: ExportFormat,
  out: TextOut,
  progress: ProgressReporter,
): Promise<void> {
  let read = { entries: 0, position: 0 };
  let exported = 0;
  const state = (): Progress => ({
    phase: 'exporting',
    done: read.entries,
    unit: 'entries',
    detail: `${exported.toLocaleString('en-US')} records exported`,
    fraction: read.position,
  });
  const pages = exportPages(redis, query, (r) => {
    read = r;
    progress.update(state());
  });
  const onPage = (n: number, done: boolean) => {
    exported = n;
    if (done) progress.done(state());
    else progress.update(state());
  };
  for await (const chunk of exportChunks(pages, format, onPage)) await out.write(chunk);
}
