/**
 * The dialplans this gateway would serve: DIALPLAN_DIR compiled as `calltrack validate` compiles
 * it, or, with DIALPLAN_SOURCE=redis, the snapshot the publishing gateway put in Redis, fetched,
 * checked against its hashes and compiled here as a following gateway does.
 */
import { withoutCredentials } from '../../admin/http.js';
import type { Config } from '../../config/load.js';
import { dialplanKeys } from '../../dialplan/distribution/keys.js';
import {
  type Manifest,
  parseManifest,
  type Refusal,
  type SnapshotFile,
  verifySnapshot,
} from '../../dialplan/distribution/snapshot.js';
import { SnapshotStore } from '../../dialplan/distribution/store.js';
import { errorLines } from '../../dialplan/errors.js';
import { type CompiledSet, loadDialplans } from '../../dialplan/load.js';
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
  if (config.distribution.source === 'redis') return checkPublished(config, now, timeoutMs);
  const dir = config.dialplanDir;
  const checked = await compileDialplanDir(dir, now);
  if (!checked.ok) return { row: refused(dir, checked) };
  return served(`${dir}: valid`, checked.set, config, now, dir);
}

/** Valid: its figures, the table, and a warning when it routes no number. */
function served(
  what: string,
  set: CompiledSet,
  config: Config,
  now: Date,
  addTo: string,
): DialplansCheck {
  const { decisions, summary: s, index } = set;
  const table = buildTable(decisions, s, index, config.defaultCountry, now);
  const detail = `${what} (${s.files.length} files, ${s.customers.length} customers, ${s.activeNumbers} active numbers, version ${s.version})`;
  if (s.activeNumbers === 0)
    return {
      row: warned(
        CHECK,
        detail,
        `no number is routed: add numbers to ${addTo} (README "Dialplans")`,
      ),
      table,
    };
  return { row: ok(CHECK, detail), table };
}

function refused(dir: string, checked: DirCheck & { ok: false }): CheckResult {
  if ('unreadable' in checked)
    return failed(CHECK, checked.unreadable, 'set DIALPLAN_DIR to the dialplan folder');
  return listed(
    `${checked.errors.length} error(s) in ${dir}:`,
    checked.errors,
    `correct the lines listed (calltrack validate ${dir} lists every error)`,
  );
}

/** A failed row with the first errors, one a line. */
function listed(opening: string, errors: readonly string[], fix: string): CheckResult {
  const shown = errors.slice(0, SHOWN_ERRORS);
  const more = errors.length - shown.length;
  return failed(
    CHECK,
    [opening, ...shown, ...(more > 0 ? [`… and ${more} more`] : [])].join('\n'),
    fix,
  );
}

type Published =
  | { version: null }
  | { version: string; refusal: Refusal }
  | { version: string; manifest: Manifest; files: SnapshotFile[] };

/** What `current` names, checked as a follower checks it before compiling. */
async function fetchPublished(store: SnapshotStore): Promise<Published> {
  const version = await store.current();
  if (!version) return { version: null };
  const parsed = parseManifest(await store.manifest(version), version);
  if (!parsed.ok) return { version, refusal: parsed };
  const { manifest } = parsed;
  const verified = verifySnapshot(manifest, await store.blobs(manifest.files.map((f) => f.sha256)));
  return verified.ok
    ? { version, manifest, files: verified.files }
    : { version, refusal: verified };
}

async function checkPublished(
  config: Config,
  now: Date,
  timeoutMs: number,
): Promise<DialplansCheck> {
  const keys = dialplanKeys();
  const where = withoutCredentials(config.redisUrl);
  const result = await withRedisProbe(config.redisUrl, timeoutMs, (redis) =>
    fetchPublished(new SnapshotStore(redis, keys)),
  );
  if (!result.ok) return { row: redisFailureRow(CHECK, where, result.failure) };
  const p = result.value;
  const publish =
    'run the publishing gateway (DIALPLAN_SOURCE=files, DIALPLAN_PUBLISH=on, the same REDIS_URL): it publishes at start and on every change';
  if (!p.version)
    return {
      row: failed(CHECK, `${where}: no dialplan published (${keys.current} is not set)`, publish),
    };
  if ('refusal' in p)
    return {
      row: failed(CHECK, `${where}: version ${p.version} unusable: ${p.refusal.detail}`, publish),
    };
  // compiled as a following gateway compiles it (files in the loader's order): a snapshot this
  // build refuses is never served, however well it compiled where it was published
  const sources = p.files
    .map((f) => ({ file: f.file, text: f.bytes.toString('utf8') }))
    .sort((a, b) => (a.file < b.file ? -1 : 1));
  const compiled = loadDialplans(sources, { now });
  const { node, publishedAt } = p.manifest;
  const published = `${where}: version ${p.version} published by ${node || '?'} at ${publishedAt || '?'}`;
  if (!compiled.ok)
    return {
      row: listed(
        `${published}, refused here: ${compiled.errors.length} error(s) in its ${p.files.length} files:`,
        errorLines(`snapshot ${p.version}`, compiled.errors),
        "correct the lines listed in the publishing gateway's DIALPLAN_DIR (calltrack validate there lists every error); the followers keep the routes they have",
      ),
    };
  return served(
    `${published}, compiles here`,
    compiled.set,
    config,
    now,
    "the publishing gateway's DIALPLAN_DIR",
  );
}
