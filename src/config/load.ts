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
import { checkTrunk, type TrunkSettings } from './trunk-settings.js';

export type Config = {
  readonly dialplanDir: string;
  readonly defaultCountry: 'DE' | 'AT';
  readonly drachtio: { readonly host: string; readonly port: number; readonly secret: string };
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
  readonly retryAfterSeconds: number;
  /** A connected call is ended (both legs, with a Reason) after this long. */
  readonly maxCallDurationSeconds: number;
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

type Kind = 'string' | 'integer' | 'number' | 'list';

/** Environment variable → where it lands in the config, and how to read it. */
export const ENV_VARS: Readonly<Record<string, { path: string[]; kind: Kind }>> = {
  DIALPLAN_DIR: { path: ['dialplanDir'], kind: 'string' },
  DEFAULT_COUNTRY: { path: ['defaultCountry'], kind: 'string' },
  DRACHTIO_HOST: { path: ['drachtio', 'host'], kind: 'string' },
  DRACHTIO_PORT: { path: ['drachtio', 'port'], kind: 'integer' },
  DRACHTIO_SECRET: { path: ['drachtio', 'secret'], kind: 'string' },
  REDIS_URL: { path: ['redisUrl'], kind: 'string' },
  HTTP_PORT: { path: ['httpPort'], kind: 'integer' },
  HTTP_HOST: { path: ['httpHost'], kind: 'string' },
  READYZ_DETAIL: { path: ['readyzDetail'], kind: 'string' },
  ADMIN_HTTP_PORT: { path: ['admin', 'httpPort'], kind: 'integer' },
  ADMIN_HTTP_HOST: { path: ['admin', 'httpHost'], kind: 'string' },
  ADMIN_TOKENS_FILE: { path: ['admin', 'tokensFile'], kind: 'string' },
  ADMIN_TLS_CERT: { path: ['admin', 'tlsCert'], kind: 'string' },
  ADMIN_TLS_KEY: { path: ['admin', 'tlsKey'], kind: 'string' },
  ADMIN_REDIS_URL: { path: ['admin', 'redisUrl'], kind: 'string' },
  AUDIT_STREAM: { path: ['audit', 'stream'], kind: 'string' },
  AUDIT_RETENTION_DAYS: { path: ['audit', 'retentionDays'], kind: 'integer' },
  LOG_LEVEL: { path: ['logLevel'], kind: 'string' },
  LOG_FORMAT: { path: ['logFormat'], kind: 'string' },
  PEER_REMINDER_SECONDS: { path: ['peerReminderSeconds'], kind: 'integer' },
  OUTBOUND_TRUNK: { path: ['outboundTrunk'], kind: 'string' },
  TRUNK_AUTH_USERNAME: { path: ['trunk', 'authUsername'], kind: 'string' },
  TRUNK_AUTH_PASSWORD: { path: ['trunk', 'authPassword'], kind: 'string' },
  TRUNK_AUTH_PASSWORD_FILE: { path: ['trunk', 'authPasswordFile'], kind: 'string' },
  TRUNK_ASSERTED_IDENTITY: { path: ['trunk', 'assertedIdentity'], kind: 'string' },
  MAX_REDIRECTS: { path: ['maxRedirects'], kind: 'integer' },
  RELOAD_DEBOUNCE_MS: { path: ['reload', 'debounceMs'], kind: 'integer' },
  RELOAD_WORKER_THRESHOLD_BYTES: { path: ['reload', 'workerThresholdBytes'], kind: 'integer' },
  DIALPLAN_SOURCE: { path: ['distribution', 'source'], kind: 'string' },
  DIALPLAN_PUBLISH: { path: ['distribution', 'publish'], kind: 'string' },
  DIALPLAN_CACHE_DIR: { path: ['distribution', 'cacheDir'], kind: 'string' },
  DIALPLAN_POLL_MS: { path: ['distribution', 'pollMs'], kind: 'integer' },
  NODE_ID: { path: ['nodeId'], kind: 'string' },
  CARRIERS_FILE: { path: ['carriersFile'], kind: 'string' },
  UNKNOWN_SOURCES: { path: ['unknownSources'], kind: 'string' },
  SCANNER_USER_AGENTS: { path: ['scannerUserAgents'], kind: 'list' },
  RATE_LIMIT_CPS: { path: ['rateLimit', 'callsPerSecond'], kind: 'number' },
  RATE_LIMIT_BURST: { path: ['rateLimit', 'burst'], kind: 'integer' },
  RATE_LIMIT_SOURCES: { path: ['rateLimit', 'sources'], kind: 'integer' },
  MAX_CALLS_PER_SECOND: { path: ['overload', 'maxCallsPerSecond'], kind: 'number' },
  MAX_CONCURRENT_CALLS: { path: ['overload', 'maxConcurrentCalls'], kind: 'integer' },
  DRAIN_TIMEOUT_MS: { path: ['drainTimeoutMs'], kind: 'integer' },
  RETRY_AFTER_SECONDS: { path: ['retryAfterSeconds'], kind: 'integer' },
  MAX_CALL_DURATION_S: { path: ['maxCallDurationSeconds'], kind: 'integer' },
  TRANSFER_RING_TIMEOUT_S: { path: ['transferRingTimeoutSeconds'], kind: 'integer' },
  HOURS_CLOCK_START: { path: ['hoursClockStart'], kind: 'string' },
  RECORD_SINK: { path: ['recordSink'], kind: 'string' },
  RECORD_STREAM: { path: ['records', 'stream'], kind: 'string' },
  RECORD_RETENTION_DAYS: { path: ['records', 'retentionDays'], kind: 'integer' },
  RECORD_STREAM_MAXLEN: { path: ['records', 'maxLength'], kind: 'integer' },
  RECORD_SPOOL_DIR: { path: ['records', 'spoolDir'], kind: 'string' },
  RECORD_MEMORY_LIMIT: { path: ['records', 'memoryLimit'], kind: 'integer' },
  RECORD_SPOOL_AFTER_MS: { path: ['records', 'spoolAfterMs'], kind: 'integer' },
  RECORD_SPOOL_MAX_BYTES: { path: ['records', 'spoolMaxBytes'], kind: 'integer' },
  CALLER_PSEUDONYM_SECRET: { path: ['records', 'pseudonymSecret'], kind: 'string' },
  TRAFFIC_RECORDS: { path: ['traffic', 'records'], kind: 'string' },
  TRAFFIC_STREAM: { path: ['traffic', 'stream'], kind: 'string' },
  TRAFFIC_RETENTION_DAYS: { path: ['traffic', 'retentionDays'], kind: 'integer' },
  TRAFFIC_CALLER_DISPLAY: { path: ['traffic', 'callerDisplay'], kind: 'string' },
  BILLING_REDIS_URL: { path: ['traffic', 'billingRedisUrl'], kind: 'string' },
  FREESWITCH: { path: ['media', 'servers'], kind: 'list' },
  FREESWITCH_LISTEN_ADDRESS: { path: ['media', 'listenAddress'], kind: 'string' },
  FREESWITCH_CONNECT_TIMEOUT_MS: { path: ['media', 'connectTimeoutMs'], kind: 'integer' },
  MEDIA_ANCHOR_TIMEOUT_MS: { path: ['media', 'anchorTimeoutMs'], kind: 'integer' },
  RECORDING_DIR: { path: ['recordings', 'dir'], kind: 'string' },
  RECORDING_NOTICE_FILE: { path: ['recordings', 'noticeFile'], kind: 'string' },
  RECORDING_PURGE_INTERVAL_MS: { path: ['recordings', 'purgeIntervalMs'], kind: 'integer' },
  VOICEMAIL_DIR: { path: ['voicemail', 'dir'], kind: 'string' },
  VOICEMAIL_GREETING_FILE: { path: ['voicemail', 'greetingFile'], kind: 'string' },
  VOICEMAIL_MAX_SECONDS: { path: ['voicemail', 'maxSeconds'], kind: 'integer' },
  SMTP_URL: { path: ['voicemail', 'smtpUrl'], kind: 'string' },
  VOICEMAIL_FROM: { path: ['voicemail', 'from'], kind: 'string' },
  SMTP_TIMEOUT_MS: { path: ['voicemail', 'smtpTimeoutMs'], kind: 'integer' },
  VOICEMAIL_RETRY_MS: { path: ['voicemail', 'retryMs'], kind: 'integer' },
  VOICEMAIL_RETRY_MAX_MS: { path: ['voicemail', 'retryMaxMs'], kind: 'integer' },
};

/** Strings from the environment → the JSON types the schema checks; what does not parse stays a string and fails there. */
function parseEnv(value: string, kind: Kind): unknown {
  const v = value.trim();
  if (kind === 'list')
    return v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  if (kind === 'integer' && /^-?[0-9]+$/.test(v)) return Number(v);
  if (kind === 'number' && v !== '' && Number.isFinite(Number(v))) return Number(v);
  return value;
}

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
  // a certificate without its key (or the other way round) is a mistake, never a reason for HTTP
  if (admin && Boolean(admin.tlsCert) !== Boolean(admin.tlsKey))
    problems.push(
      `${admin.tlsCert ? 'ADMIN_TLS_KEY' : 'ADMIN_TLS_CERT'}: ADMIN_TLS_CERT and ADMIN_TLS_KEY go together (both set: HTTPS, neither: HTTP)`,
    );
  if (problems.length > 0) throw new ConfigError(problems);
  return deepFreeze(raw as Config);
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
