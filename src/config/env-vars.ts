/**
 * The environment variables the gateway reads: where each lands in the configuration and how its
 * text becomes the JSON type the schema checks. The one list: the configuration tests and the
 * compose file's check go by it.
 */

export type Kind = 'string' | 'integer' | 'number' | 'list';

/** Environment variable → where it lands in the config, and how to read it. */
export const ENV_VARS: Readonly<Record<string, { path: string[]; kind: Kind }>> = {
  DIALPLAN_DIR: { path: ['dialplanDir'], kind: 'string' },
  DEFAULT_COUNTRY: { path: ['defaultCountry'], kind: 'string' },
  DRACHTIO_HOST: { path: ['drachtio', 'host'], kind: 'string' },
  DRACHTIO_PORT: { path: ['drachtio', 'port'], kind: 'integer' },
  DRACHTIO_SECRET: { path: ['drachtio', 'secret'], kind: 'string' },
  DRACHTIO: { path: ['drachtio', 'servers'], kind: 'list' },
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
  DRAIN_ROUTES: { path: ['drainRoutes'], kind: 'string' },
  RETRY_AFTER_SECONDS: { path: ['retryAfterSeconds'], kind: 'integer' },
  MAX_CALL_DURATION_S: { path: ['maxCallDurationSeconds'], kind: 'integer' },
  DIALOG_KEEPALIVE_S: { path: ['dialogKeepaliveSeconds'], kind: 'integer' },
  RINGING_REFRESH_S: { path: ['ringingRefreshSeconds'], kind: 'integer' },
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
  RECORD_MIN_REPLICAS: { path: ['records', 'minReplicas'], kind: 'integer' },
  JOURNAL_HEARTBEAT_SECONDS: { path: ['records', 'journalHeartbeatSeconds'], kind: 'integer' },
  JOURNAL_NODE_LOST_SECONDS: { path: ['records', 'journalNodeLostSeconds'], kind: 'integer' },
  TRAFFIC_RECORDS: { path: ['traffic', 'records'], kind: 'string' },
  TRAFFIC_STREAM: { path: ['traffic', 'stream'], kind: 'string' },
  TRAFFIC_RETENTION_DAYS: { path: ['traffic', 'retentionDays'], kind: 'integer' },
  TRAFFIC_CALLER_DISPLAY: { path: ['traffic', 'callerDisplay'], kind: 'string' },
  BILLING_REDIS_URL: { path: ['traffic', 'billingRedisUrl'], kind: 'string' },
  FREESWITCH: { path: ['media', 'servers'], kind: 'list' },
  FREESWITCH_LISTEN_ADDRESS: { path: ['media', 'listenAddress'], kind: 'string' },
  FREESWITCH_CONNECT_TIMEOUT_MS: { path: ['media', 'connectTimeoutMs'], kind: 'integer' },
  MEDIA_ANCHOR_TIMEOUT_MS: { path: ['media', 'anchorTimeoutMs'], kind: 'integer' },
  MEDIA_ANCHOR_MAX_PENDING: { path: ['media', 'maxPendingAnchors'], kind: 'integer' },
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
export function parseEnv(value: string, kind: Kind): unknown {
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
