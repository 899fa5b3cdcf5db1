/** `calltrack report`: a customer's calls per source over a period, from the analytics counts. */
import { readReport } from '../records/report.js';
import { CliError, type CliIO } from './io.js';
import { stdoutText } from './output.js';
import { formatArg, type PeriodFlags, periodArgs } from './period.js';
import { withRedis } from './redis.js';
import { formatReport, REPORT_FORMATS } from './report-format.js';

const USAGE =
  'usage: calltrack report --customer <id> --from YYYY-MM-DD --to YYYY-MM-DD [--format table|csv|json]';

export async function reportCommand(
  io: CliIO,
  args: string[],
  flags: PeriodFlags,
): Promise<number> {
  if (args.length > 0) throw new CliError(`unexpected '${args[0]}'\n${USAGE}`);
  const { customer, from, to } = periodArgs(flags, USAGE);
  const format = formatArg(flags.format, REPORT_FORMATS, 'table');
  const report = await withRedis(io, ({ redis }) => readReport(redis, customer, from, to));
  const out = stdoutText(io);
  await out.write(formatReport(report, format));
  await out.close();
  return 0;
}
