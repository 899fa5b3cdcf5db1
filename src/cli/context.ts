/** Shared pieces of the CLI commands: where the dialplans are and how numbers are typed in. */
import { join } from 'node:path';
import { loadConfig } from '../config/load.js';
import { parseDate } from '../dialplan/dates.js';
import { type DialplanError, formatError } from '../dialplan/errors.js';
import { COUNTRY_CODES } from '../numbering/classify.js';
import { normalise } from '../numbering/normalise.js';
import { CliError, type CliIO } from './io.js';

export function dialplanDir(io: CliIO, flag: string | undefined): string {
  return flag ?? loadConfig(io.env).dialplanDir;
}

export function defaultCountry(io: CliIO): 'DE' | 'AT' {
  return loadConfig(io.env).defaultCountry;
}

/** Admins may type numbers as they read them ("030 2555 0101"); the files hold E.164. */
export function numberArg(io: CliIO, raw: string | undefined, what: string): string {
  if (!raw) throw new CliError(`missing ${what}`);
  const n = normalise(raw, { defaultCountryCode: COUNTRY_CODES[defaultCountry(io)] });
  if (typeof n !== 'string')
    throw new CliError(`${what} '${raw}' is not a phone number: ${n.detail}`);
  return n;
}

export function todayArg(io: CliIO, flag: string | undefined): Date {
  if (flag === undefined) return io.now();
  const date = parseDate(flag);
  if (!date) throw new CliError(`--today '${flag}' is not a date (YYYY-MM-DD)`);
  return date;
}

export function errorLines(dir: string, errors: readonly DialplanError[]): string[] {
  return errors.map((e) => formatError({ ...e, file: join(dir, e.file) }));
}
