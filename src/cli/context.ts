/** Shared pieces of the CLI commands: where the dialplans are and how numbers are typed in. */
import { type Config, loadConfig } from '../config/load.js';
import { parseDate } from '../dialplan/dates.js';
import { COUNTRY_CODES } from '../numbering/classify.js';
import { normalise } from '../numbering/normalise.js';
import { CliError, type CliIO } from './io.js';

/** The config of one command: read and checked once, and only if asked for. */
export type LazyConfig = () => Config;

/**
 * Lazy because a command given everything on its command line (`validate <dir>`) must run even
 * when the environment would not make a valid config.
 */
export function commandConfig(io: CliIO): LazyConfig {
  let config: Config | undefined;
  return () => {
    config ??= loadConfig(io.env);
    return config;
  };
}

export function dialplanDir(config: LazyConfig, flag: string | undefined): string {
  return flag ?? config().dialplanDir;
}

/** Admins may type numbers as they read them ("030 2555 0101"); the files hold E.164. */
export function numberArg(config: LazyConfig, raw: string | undefined, what: string): string {
  if (!raw) throw new CliError(`missing ${what}`);
  const n = normalise(raw, { defaultCountryCode: COUNTRY_CODES[config().defaultCountry] });
  if (typeof n !== 'string')
    throw new CliError(
      `${what} '${raw}' ${n.reason === 'ambiguous' ? 'is ambiguous' : 'is not a phone number'}: ${n.detail}`,
    );
  return n;
}

export function todayArg(io: CliIO, flag: string | undefined): Date {
  if (flag === undefined) return io.now();
  const date = parseDate(flag);
  if (!date) throw new CliError(`--today '${flag}' is not a date (YYYY-MM-DD)`);
  return date;
}
