/**
 * `calltrack traffic`: reading traffic data (issue 15), run with the billing user's REDIS_URL.
 * - `export --customer <id> --from <date> --to <date> --format csv|json [--out f] [--reason t]`:
 *   a customer's records over local days, for billing (the reason defaults to `billing`).
 * - `lawful-request --number <E.164> --from <instant> --to <instant> --reason <text>`: one
 *   tracking number's records over a time window, all customers; refused without a reason.
 * Who read: `--operator`, else the OS user. Every read is audited in the admin API's trail
 * (AUDIT_STREAM) before anything is written out: no entry, no output (exit 1).
 */
import { userInfo } from 'node:os';
import { RedisAudit } from '../admin/audit-redis.js';
import { LAWFUL_REASON_MIN } from '../admin/lawful-request.js';
import { createLogger } from '../observability/logger.js';
import { INSTANT_HINT, parseInstant } from '../records/instant.js';
import type { TrafficRecord } from '../records/traffic-entry.js';
import { readTraffic, type TrafficSelection } from '../records/traffic-read.js';
import { trafficText } from '../records/traffic-rows.js';
import { CliError, type CliIO } from './io.js';
import { fileText, stdoutText } from './output.js';
import { formatArg, type PeriodFlags, periodArgs } from './period.js';
import { withProgress } from './progress.js';
import { type CliRedis, withRedis } from './redis.js';

const EXPORT_USAGE =
  'usage: calltrack traffic export --customer <id> --from YYYY-MM-DD --to YYYY-MM-DD --format csv|json [--out file] [--reason text] [--operator name]';
const LAWFUL_USAGE =
  'usage: calltrack traffic lawful-request --number <E.164> --from <date or RFC 3339 time> --to <…> --reason "<legal basis, case>" [--format json|csv] [--out file] [--operator name]';
const USAGE = `${EXPORT_USAGE}\n${LAWFUL_USAGE}`;
const E164 = /^\+[1-9][0-9]{4,14}$/;

export type TrafficFlags = PeriodFlags & {
  out?: string;
  reason?: string;
  number?: string;
  operator?: string;
};

export async function trafficCommand(
  io: CliIO,
  args: string[],
  flags: TrafficFlags,
): Promise<number> {
  const [action, ...rest] = args;
  if (rest.length > 0) throw new CliError(`unexpected '${rest[0]}'\n${USAGE}`);
  if (action === 'export') return exportTraffic(io, flags);
  if (action === 'lawful-request') return lawfulRequest(io, flags);
  throw new CliError(
    `${action ? `unknown traffic action '${action}'` : 'missing action'}\n${USAGE}`,
  );
}

async function exportTraffic(io: CliIO, flags: TrafficFlags): Promise<number> {
  const period = periodArgs(flags, EXPORT_USAGE);
  const format = formatArg<'csv' | 'json'>(flags.format, ['csv', 'json'], undefined);
  const reason = flags.reason?.trim() || 'billing';
  await readAuditWrite(io, flags, { kind: 'customer', ...period }, format, {
    action: 'traffic.export',
    target: period.customer,
    detail: { from: period.from, to: period.to, format, reason },
  });
  return 0;
}

async function lawfulRequest(io: CliIO, flags: TrafficFlags): Promise<number> {
  const { number, from, to } = flags;
  const reason = flags.reason?.trim() ?? '';
  if (reason.length < LAWFUL_REASON_MIN)
    throw new CliError(
      `a lawful request needs --reason "<legal basis, case reference>" (at least ${LAWFUL_REASON_MIN} characters); nothing was read\n${LAWFUL_USAGE}`,
    );
  if (!number) throw new CliError(`missing --number\n${LAWFUL_USAGE}`);
  if (!E164.test(number)) throw new CliError(`--number '${number}' is not E.164 (+49…)`);
  if (!from || !to) throw new CliError(`missing --${from ? 'to' : 'from'}\n${LAWFUL_USAGE}`);
  const fromMs = parseInstant(from, false);
  const toMs = parseInstant(to, true);
  if (fromMs === undefined) throw new CliError(`--from '${from}' ${INSTANT_HINT}`);
  if (toMs === undefined) throw new CliError(`--to '${to}' ${INSTANT_HINT}`);
  if (fromMs > toMs) throw new CliError(`--from ${from} is after --to ${to}`);
  const format = formatArg<'csv' | 'json'>(flags.format, ['json', 'csv'], 'json');
  const window = { from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString() };
  await readAuditWrite(io, flags, { kind: 'number', number, fromMs, toMs }, format, {
    action: 'traffic.lawful-request',
    target: number,
    detail: { ...window, format, reason },
  });
  return 0;
}

type AuditWhat = { action: string; target: string; detail: Record<string, unknown> };

/** Reads everything selected, audits the read with its count, then writes it out. */
async function readAuditWrite(
  io: CliIO,
  flags: TrafficFlags,
  selection: TrafficSelection,
  format: 'csv' | 'json',
  what: AuditWhat,
): Promise<void> {
  const actor = flags.operator || userInfo().username;
  await withRedis(io, async (r) => {
    const records = await readWithProgress(io, r, selection);
    await audit(r, {
      actor,
      role: 'cli',
      action: what.action,
      target: what.target,
      detail: { ...what.detail, records: records.length },
    });
    const out = flags.out ? await fileText(flags.out) : stdoutText(io);
    try {
      await out.write(await trafficText(records, format, 'full'));
      await out.close();
    } catch (err) {
      await out.abort();
      throw err;
    }
  });
}

async function readWithProgress(
  io: CliIO,
  { redis, config }: CliRedis,
  selection: TrafficSelection,
): Promise<TrafficRecord[]> {
  return withProgress(io.progress, async (progress) => {
    let entries = 0;
    const state = (fraction: number) => ({
      phase: 'reading traffic',
      done: entries,
      unit: 'entries',
      fraction,
    });
    const records = await readTraffic(redis, config.traffic.stream, selection, {
      onRead: (read) => {
        entries = read.entries;
        progress.update(state(read.position));
      },
    });
    progress.done({ ...state(1), detail: `${records.length.toLocaleString('en-US')} records` });
    return records;
  });
}

async function audit(
  { redis, config }: CliRedis,
  entry: AuditWhat & { actor: string; role: string },
): Promise<void> {
  const trail = new RedisAudit({
    redis,
    stream: config.audit.stream,
    retentionDays: config.audit.retentionDays,
    log: createLogger('silent'),
    now: Date.now,
  });
  try {
    await trail.append(entry);
  } catch (err) {
    throw new CliError(
      `the audit trail (${config.audit.stream}) did not take the entry, so nothing is written out: ${(err as Error).message}`,
      1,
    );
  }
}
