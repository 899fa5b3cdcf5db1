/**
 * Configuration: defaults from config/default.json, overridden by environment variables, checked
 * against config/schema/config.schema.json. Every problem is listed at once; the result is frozen.
 */
import { readFileSync } from 'node:fs';
import { parseDate } from '../dialplan/dates.js';
import type { LogFormat } from '../observability/log-format.js';
import { packagePath } from '../paths.js';
import type { TrunkAccess } from '../routing/trunk.js';
import { describeErrors, schemaValidator } from '../schema/ajv.js';
import { deepFreeze } from '../util/freeze.js';
import { type DrachtioSettings, type DrachtioTarget, drachtioTargets } from './drachtio-servers.js';
import { ENV_VARS, parseEnv } from './env-vars.js';
import { redisProblems } from './redis-urls.js';
import { checkTrunk, type TrunkSettings } from './trunk-settings.js';

export { ENV_VARS };

export type Config = {
  readonly dialplanDir: string;
  readonly defaultCountry: 'DE' | 'AT';
  /** As set; `drachtioServers` is what the gateway connects to. */
  readonly drachtio: {
    readonly host: string;
    readonly port: number;
    readonly secret: string;
    readonly servers?: readonly string[];
  };
  /** DRACHTIO, or DRACHTIO_HOST/DRACHTIO_PORT as its one entry; each with DRACHTIO_SECRET. */
  readonly drachtioServers: readonly DrachtioTarget[];
  readonly redisUrl: string;
  readonly httpPort: number;
  /** Address the metrics/health listener binds to; loopback unless ops open it on purpose. */
  readonly httpHost: string;
  /** The admin API's own listener; port 0: off. Never runs without a tokens file. */
  readonly admin: {
    readonly httpPort: number;
    readonly httpHost: string;
    /** YAML: `{ name, role, sha256 }` per bearer token (src/admin/tokens.ts). */
    readonly tokensFile: string;
    /** PEM files; both set: the admin listener speaks HTTPS only. Both empty: plain HTTP. */
    readonly tlsCert: string;
    readonly tlsKey: string;
    /**
     * Its own Redis connection (the `admin-api` user of config/redis/users.acl: reads the call
     * stream and the analytics counts, keeps the audit trail); empty: REDIS_URL.
     */
    readonly redisUrl: string;
  };
  /** The admin API's audit trail in Redis (with RECORD_SINK=redis; else the log alone). */
  readonly audit: { readonly stream: string; readonly retentionDays: number };
  /** `on`: /readyz names internal addresses (drachtio, Redis, media servers); `off`: booleans only. */
  readonly readyzDetail: 'on' | 'off';
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** `auto`: pretty on a terminal, JSON lines otherwise. */
  readonly logFormat: LogFormat;
  /** A missing drachtio-server, Redis or FreeSWITCH is warned about again this often. */
  readonly peerReminderSeconds: number;
  readonly outboundTrunk: string;
  /** Trunk credentials and identity as set; `resolvedTrunk` is what the call path uses. */
  readonly trunk: TrunkSettings;
  /** OUTBOUND_TRUNK parsed, the password read (from its file), checked once at start. */
  readonly resolvedTrunk: TrunkAccess;
  /** 3xx from a destination followed at most this often per destination (0: never). */
  readonly maxRedirects: number;
  readonly reload: { readonly debounceMs: number; readonly workerThresholdBytes: number };
  /** One dialplan on every gateway: where this node's set comes from, and whether it publishes it. */
  readonly distribution: {
    readonly source: 'files' | 'redis';
    readonly publish: 'on' | 'off';
    /** A follower's last good snapshot (`<cacheDir>/<version>/`, `current` names it). */
    readonly cacheDir: string;
    /** Checks of Redis besides the notifications: a missed one is caught up this late at most. */
    readonly pollMs: number;
  };
  readonly nodeId: string;
  /** The carriers file (YAML): named carriers with their networks, trust and rates. */
  readonly carriersFile: string;
  /** Sources outside every carrier: refused with 403, or admitted (PAI ignored, per-source rate). */
  readonly unknownSources: 'refuse' | 'admit';
  readonly scannerUserAgents: readonly string[];
  /** Per-source rate of sources outside every carrier, and how many sources are tracked. */
  readonly rateLimit: {
    readonly callsPerSecond: number;
    readonly burst: number;
    readonly sources: number;
  };
  /** This node's limits: new calls per second and calls in progress. */
  readonly overload: { readonly maxCallsPerSecond: number; readonly maxConcurrentCalls: number };
  readonly drainTimeoutMs: number;
  /** DRAIN_ROUTES: whether a drain withdraws the gateway's routes at drachtio (sip/routes.ts). */
  readonly drainRoutes: 'keep' | 'withdraw';
  readonly retryAfterSeconds: number;
  /** A connected call is ended (both legs, with a Reason) after this long. */
  readonly maxCallDurationSeconds: number;
  /** A connected call's legs are asked this often whether they still know it; 0: never. */
  readonly dialogKeepaliveSeconds: number;
  /** A caller still waiting gets the last 18x again this often (RFC 3261 13.3.1.1); 0: never. */
  readonly ringingRefreshSeconds: number;
  /** How long the target of a dealer's transfer may ring. */
  readonly transferRingTimeoutSeconds: number;
  /**
   * Business hours are judged by a clock that starts at this instant and runs on from there
   * (tests, a rehearsal of a holiday); '' is the system clock. Nothing else uses it.
   */
  readonly hoursClockStart: string;
  readonly recordSink: string;
  readonly records: {
    readonly stream: string;
    readonly retentionDays: number;
    readonly maxLength: number;
    readonly spoolDir: string;
    readonly memoryLimit: number;
    readonly spoolAfterMs: number;
    readonly spoolMaxBytes: number;
    readonly pseudonymSecret: string;
    /**
     * Replicas that must acknowledge a batch (WAIT) before the writer counts it as written, so a
     * master that dies right after its answer cannot take the batch with it; 0: no WAIT.
     */
    readonly minReplicas: number;
    /** How often each gateway writes its call journal heartbeat. */
    readonly journalHeartbeatSeconds: number;
    /** A gateway whose heartbeat is older is lost: others write its calls' records (> heartbeat). */
    readonly journalNodeLostSeconds: number;
  };
  /**
   * Traffic data for billing, apart from the anonymised records: written only when `records` is
   * on, to its own stream, trimmed after `retentionDays` (at most 180); read by billing and admins.
   */
  readonly traffic: {
    readonly records: 'on' | 'off';
    readonly stream: string;
    readonly retentionDays: number;
    readonly callerDisplay: 'none' | 'masked' | 'full';
    readonly billingRedisUrl: string;
  };
  /** FreeSWITCH media servers (`host:port:secret`); empty: no media, signalling only. */
  readonly media: {
    readonly servers: readonly string[];
    /** Address fsmrf listens on for FreeSWITCH's outbound event-socket connections. */
    readonly listenAddress: string;
    readonly connectTimeoutMs: number;
    /** Anchoring a call that takes longer goes on without media (FreeSWITCH's SIP side hangs). */
    readonly anchorTimeoutMs: number;
    /** Anchors in progress on one media server before it takes no more (the next go without). */
    readonly maxPendingAnchors: number;
  };
  /** Call recordings (numbers with `options.recording`): where, the default notice, the sweep. */
  readonly recordings: {
    readonly dir: string;
    readonly noticeFile: string;
    readonly purgeIntervalMs: number;
  };
  /** Voicemail (numbers with `options.voicemail`): recorded here, mailed through SMTP_URL. */
  readonly voicemail: {
    readonly dir: string;
    readonly greetingFile: string;
    readonly maxSeconds: number;
    /** Empty: no voicemail; such numbers answer callers with the dealers' failure. */
    readonly smtpUrl: string;
    readonly from: string;
    readonly smtpTimeoutMs: number;
    readonly retryMs: number;
    readonly retryMaxMs: number;
  };
};

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** The schema checked the shape; Date.parse alone would take 2026-02-30 as 2 March. */
function isInstant(text: string): boolean {
  return parseDate(text.slice(0, 10)) !== undefined && !Number.isNaN(Date.parse(text));
}

/** The clock business hours are judged by: the system clock, or one started at HOURS_CLOCK_START. */
export function hoursClock(start: string, now: () => number = Date.now): () => number {
  if (!start) return now;
  const shift = Date.parse(start) - now();
  return () => now() + shift;
}

export function loadConfig(env: Readonly<Record<string, string | undefined>>): Config {
  const raw = JSON.parse(readFileSync(packagePath('config', 'default.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  const problems: string[] = [];
  const sourceOf = new Map<string, string>();
  for (const [name, spec] of Object.entries(ENV_VARS)) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    sourceOf.set(spec.path.join('.'), name);
    setPath(raw, spec.path, parseEnv(value, spec.kind));
  }
  const validate = schemaValidator('config.schema.json');
  if (!validate(raw)) {
    for (const p of describeErrors(validate.errors)) {
      const where = p.path.join('.');
      // list items (scannerUserAgents.2) come from the variable that set the list
      const source =
        sourceOf.get(where) ?? sourceOf.get(p.path.filter((x) => typeof x === 'string').join('.'));
      problems.push(`${source ? `${source} (${where})` : where || 'config'}: ${p.message}`);
    }
  }
  // checked beside the schema's problems, so a bad trunk is listed with all the others
  const { outboundTrunk, trunk } = raw as { outboundTrunk?: unknown; trunk?: TrunkSettings };
  if (typeof outboundTrunk === 'string' && outboundTrunk && trunk) {
    const checked = checkTrunk(outboundTrunk, trunk, (f) => readFileSync(f, 'utf8'));
    problems.push(...checked.problems);
    if (checked.trunk) raw.resolvedTrunk = checked.trunk;
  }
  const drachtio = drachtioTargets(
    raw.drachtio as DrachtioSettings,
    sourceOf.has('drachtio.servers'),
    ['drachtio.host', 'drachtio.port'].flatMap((p) => sourceOf.get(p) ?? []),
  );
  problems.push(...drachtio.problems);
  raw.drachtioServers = drachtio.targets;
  const { hoursClockStart } = raw as { hoursClockStart?: unknown };
  if (typeof hoursClockStart === 'string' && hoursClockStart && !isInstant(hoursClockStart))
    problems.push(`HOURS_CLOCK_START: '${hoursClockStart}' is not a real date and time`);
  const { admin } = raw as {
    admin?: { httpPort?: unknown; tokensFile?: unknown; tlsCert?: unknown; tlsKey?: unknown };
  };
  if (typeof admin?.httpPort === 'number' && admin.httpPort > 0 && !admin.tokensFile)
    problems.push(
      'ADMIN_HTTP_PORT: set without ADMIN_TOKENS_FILE; the admin API never runs without authentication',
    );
  problems.push(...distributionProblems(raw, sourceOf.has('redisUrl')));
  problems.push(...redisProblems(raw));
  problems.push(...journalProblems(raw));
  // a certificate without its key (or the other way round) is a mistake, never a reason for HTTP
  if (admin && Boolean(admin.tlsCert) !== Boolean(admin.tlsKey))
    problems.push(
      `${admin.tlsCert ? 'ADMIN_TLS_KEY' : 'ADMIN_TLS_CERT'}: ADMIN_TLS_CERT and ADMIN_TLS_KEY go together (both set: HTTPS, neither: HTTP)`,
    );
  if (problems.length > 0) throw new ConfigError(problems);
  return deepFreeze(raw as Config);
}

/**
 * A gateway must beat at least twice within the loss bound, or a healthy one between two beats
 * would be taken for lost and its calls written twice over (node-lost, then its own record).
 */
function journalProblems(raw: Record<string, unknown>): string[] {
  const r = raw.records as
    | { journalHeartbeatSeconds?: unknown; journalNodeLostSeconds?: unknown }
    | undefined;
  const beat = r?.journalHeartbeatSeconds;
  const lost = r?.journalNodeLostSeconds;
  if (typeof beat !== 'number' || typeof lost !== 'number' || lost >= 2 * beat) return [];
  return [
    `JOURNAL_NODE_LOST_SECONDS: ${lost} must be at least twice JOURNAL_HEARTBEAT_SECONDS (${beat}), so a gateway between two heartbeats is never taken for lost`,
  ];
}

/** Settings that each pass the schema but contradict each other. */
function distributionProblems(raw: Record<string, unknown>, redisUrlSet: boolean): string[] {
  const d = raw.distribution as { source?: unknown; publish?: unknown } | undefined;
  const problems: string[] = [];
  if (d?.source === 'redis' && d.publish === 'on')
    problems.push(
      'DIALPLAN_PUBLISH: on needs DIALPLAN_SOURCE=files; a follower only serves what the publisher published',
    );
  // the default localhost URL suits records on one host; a gateway of several must name the shared Redis
  const needsRedis =
    d?.source === 'redis' ? 'DIALPLAN_SOURCE=redis' : d?.publish === 'on' && 'DIALPLAN_PUBLISH=on';
  if (needsRedis && !redisUrlSet)
    problems.push(`REDIS_URL: not set; ${needsRedis} needs the Redis every gateway shares`);
  return problems;
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path.at(-1)!] = value;
}
