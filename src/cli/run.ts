/** Parses the command line and dispatches; every refusal becomes a message and an exit code. */
import { parseArgs } from 'node:util';
import { ConfigError } from '../config/load.js';
import { analyticsCommand } from './analytics.js';
import { doctorCommand } from './doctor/command.js';
import { exportCommand } from './export.js';
import { CliError, type CliIO } from './io.js';
import { numbersCommand } from './numbers.js';
import { withProgressFlags } from './progress.js';
import { recordingsCommand } from './recordings.js';
import { redisAclCommand } from './redis-acl.js';
import { reportCommand } from './report.js';
import { tokenCommand } from './token.js';
import { trafficCommand } from './traffic.js';
import { lookupCommand, validateCarriersCommand, validateCommand } from './validate.js';

const USAGE = `usage: calltrack <command>
  validate [dir]                      check dialplans; one line per error (file:line:col: message)
  validate --carriers <file>          check a carriers file the same way
  lookup <number> [--at time] [--dialplans dir]
                                      print the routing decision as JSON and, for a forwarded
                                      number, its plan at --at (default now): open by which rule,
                                      or closed (hours, holiday, closed date) and what then; --at
                                      is ISO (2026-06-04T08:00:00Z); without an offset it is the
                                      number's local time in its business-hours timezone
  numbers <action> …                  deactivate | replace | end-contract | reclaimable
  analytics [last-calls]              count the record stream (until SIGTERM); last calls as JSON
  report --customer <id> --from <date> --to <date> [--format table|csv|json]
                                      calls per source and their share
  export --customer <id> --from <date> --to <date> --format csv|json [--out file]
                                      the customer's call history
  traffic export --customer <id> --from <date> --to <date> --format csv|json [--out file]
                 [--reason text] [--operator name]
                                      the customer's traffic records (billing; run with the
                                      billing user's REDIS_URL); audited
  traffic lawful-request --number <E.164> --from <time> --to <time> --reason "<text>"
                 [--format json|csv] [--out file] [--operator name]
                                      one tracking number's traffic records in a time window,
                                      all customers; the reason is required; audited
  recordings purge [--dir d] [--today YYYY-MM-DD]
                                      delete recordings past their number's retention days
  token --name <who> --role <role>    a new admin API token (role admin, editor, viewer,
                                      billing or customer:<id>) and its line for ADMIN_TOKENS_FILE
  redis-acl [--out file]              the Redis ACL file with the hashes of REDIS_PASSWORD_GATEWAY,
                                      _ADMIN_API, _ANALYTICS, _BILLING and _ADMIN (README "Redis
                                      users")
  doctor                              check the configuration and every peer it names (dialplans,
                                      carriers, drachtio, Redis, FreeSWITCH, SMTP): one row each,
                                      with the fix; exit 1 if a check failed
  --progress | --no-progress          progress of long commands on stderr: also when it is not a
                                      terminal (plain lines) | never (default: on a terminal)`;

export async function runCli(argv: string[], io: CliIO): Promise<number> {
  try {
    const { positionals, values } = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        dialplans: { type: 'string' },
        carriers: { type: 'string' },
        today: { type: 'string' },
        source: { type: 'string' },
        'last-calls': { type: 'string' },
        deactivate: { type: 'boolean' },
        customer: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        format: { type: 'string' },
        out: { type: 'string' },
        consumer: { type: 'string' },
        dir: { type: 'string' },
        at: { type: 'string' },
        name: { type: 'string' },
        number: { type: 'string' },
        reason: { type: 'string' },
        operator: { type: 'string' },
        role: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        progress: { type: 'boolean' },
        'no-progress': { type: 'boolean' },
      },
    });
    io = withProgressFlags(io, values);
    const [command, ...args] = positionals;
    if (values.help || !command) {
      io.out(USAGE);
      return values.help ? 0 : 2;
    }
    if (command === 'validate' && values.carriers !== undefined)
      return validateCarriersCommand(io, values.carriers);
    if (command === 'validate')
      return await validateCommand(
        io,
        args.length ? args : values.dialplans ? [values.dialplans] : [],
      );
    if (command === 'lookup') return await lookupCommand(io, args, values);
    if (command === 'numbers') return await numbersCommand(io, args, values);
    if (command === 'analytics') return await analyticsCommand(io, args, values);
    if (command === 'report') return await reportCommand(io, args, values);
    if (command === 'export') return await exportCommand(io, args, values);
    if (command === 'traffic') return await trafficCommand(io, args, values);
    if (command === 'recordings') return await recordingsCommand(io, args, values);
    if (command === 'token') return tokenCommand(io, values);
    if (command === 'redis-acl' && args.length === 0) return await redisAclCommand(io, values.out);
    if (command === 'doctor') return await doctorCommand(io, args);
    throw new CliError(`unknown command '${command}'\n${USAGE}`);
  } catch (err) {
    return reportFailure(io, err);
  }
}

function reportFailure(io: CliIO, err: unknown): number {
  if (err instanceof CliError) {
    for (const line of err.details) io.out(line);
    io.err(`calltrack: ${err.message}`);
    return err.exitCode;
  }
  if (err instanceof ConfigError) {
    io.err(`calltrack: ${err.message}`);
    return 2;
  }
  if (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS')) {
    io.err(`calltrack: ${err.message}\n${USAGE}`);
    return 2;
  }
  throw err;
}
