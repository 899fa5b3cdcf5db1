/**
 * The dialplans this gateway would serve: DIALPLAN_DIR compiled as `calltrack validate` compiles
 * it, or, with DIALPLAN_SOURCE=redis, the snapshot the publishing gateway put in Redis.
 */
import { withoutCredentials } from '../../admin/http.js';
import type { Config } from '../../config/load.js';
import { dialplanKeys } from '../../dialplan/distribution/keys.js';
import { parseManifest } from '../../dialplan/distribution/snapshot.js';
import { buildTable } from '../../dialplan/table.js';
import type { RouteTable } from '../../routing/route-table.js';
import { compileDialplanDir, type DirCheck } from '../validate.js';
import { redisFailureRow } from './redis-check.js';
import { withRedisProbe } from './redis-probe.js';
import { type CheckResult, failed, ok, warned } from './result.js';

const CHECK = 'dialplans';
/** Enough lines to see what is wrong; `calltrack validate` lists them all. */
const SHOWN_ERRORS = 10;

/** The row, and the table the gateway would route with (for the drachtio rows' transports). */
export type DialplansCheck = { row: CheckResult; table?: RouteTable };

export async function checkDialplans(
  config: Config,
  now: Date,
  timeoutMs: number,
): Promise<DialplansCheck> {
  if (config.distribution.source === 'redis')
    return { row: await checkPublished(config.redisUrl, timeoutMs) };
  const dir = config.dialplanDir;
  const checked = await compileDialplanDir(dir, now);
  if (!checked.ok) return { row: refused(dir, checked) };
  const { decisions, summary: s, index } = checked.set;
  const table = buildTable(decisions, s, index, config.defaultCountry, now);
  const detail = `${dir}: valid (${s.files.length} files, ${s.customers.length} customers, ${s.activeNumbers} active numbers, version ${s.version})`;
  if (s.activeNumbers === 0)
    return {
      row: warned(CHECK, detail, `no number is routed: add numbers to ${dir} (README "Dialplans")`),
      table,
    };
  return { row: ok(CHECK, detail), table };
}

function refused(dir: string, checked: DirCheck & { ok: false }): CheckResult {
  if ('unreadable' in checked)
    return failed(CHECK, checked.unreadable, 'set DIALPLAN_DIR to the dialplan folder');
  const shown = checked.errors.slice(0, SHOWN_ERRORS);
  const more = checked.errors.length - shown.length;
  return failed(
    CHECK,
    [
      `${checked.errors.length} error(s) in ${dir}:`,
      ...shown,
      ...(more > 0 ? [`… and ${more} more`] : []),
    ].join('\n'),
    `correct the lines listed (calltrack validate ${dir} lists every error)`,
  );
}

async function checkPublished(url: string, timeoutMs: number): Promise<CheckResult> {
  const keys = dialplanKeys();
  const where = withoutCredentials(url);
  const result = await withRedisProbe(url, timeoutMs, async (redis) => {
    const version = await redis.get(keys.current);
    return { version, manifest: version && (await redis.get(keys.manifest(version))) };
  });
  if (!result.ok) return redisFailureRow(CHECK, where, result.failure);
  const { version, manifest } = result.value;
  const publish =
    'run the publishing gateway (DIALPLAN_SOURCE=files, DIALPLAN_PUBLISH=on, the same REDIS_URL): it publishes at start and on every change';
  if (!version)
    return failed(CHECK, `${where}: no dialplan published (${keys.current} is not set)`, publish);
  const parsed = parseManifest(manifest ?? null, version);
  if (!parsed.ok)
    return failed(CHECK, `${where}: version ${version} unusable: ${parsed.detail}`, publish);
  const m = parsed.manifest;
  return ok(
    CHECK,
    `${where}: version ${version} published (${m.files.length} files, by ${m.node || '?'} at ${m.publishedAt || '?'})`,
  );
}
