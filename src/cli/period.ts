/** The flags report and export share: --customer, --from, --to, --format; bad ones exit 2. */
import { parseDate } from '../dialplan/dates.js';
import { CliError } from './io.js';

export type PeriodFlags = { customer?: string; from?: string; to?: string; format?: string };
export type Period = { customer: string; from: string; to: string };

export function periodArgs(flags: PeriodFlags, usage: string): Period {
  const { customer, from, to } = flags;
  if (!customer) throw new CliError(`missing --customer\n${usage}`);
  if (!from || !to) throw new CliError(`missing --${from ? 'to' : 'from'}\n${usage}`);
  for (const [name, value] of [
    ['--from', from],
    ['--to', to],
  ] as const) {
    if (!parseDate(value)) throw new CliError(`${name} '${value}' is not a date (YYYY-MM-DD)`);
  }
  if (from > to) throw new CliError(`--from ${from} is after --to ${to}`);
  return { customer, from, to };
}

export function formatArg<F extends string>(
  value: string | undefined,
  allowed: readonly F[],
  fallback: F | undefined,
): F {
  const format = value ?? fallback;
  if (format === undefined) throw new CliError(`missing --format (${allowed.join(' or ')})`);
  if (!(allowed as readonly string[]).includes(format))
    throw new CliError(`--format '${format}' is not one of ${allowed.join(', ')}`);
  return format as F;
}
