/**
 * What the admin API keeps and reads beyond the route table: the audit trail (a Redis stream when
 * the gateway writes its calls to Redis, else the log alone), the call stream for history
 * downloads, the analytics counts (reports, last calls), the traffic stream (on the billing
 * connection) and the recordings directory. Its own Redis connection, as its own Redis user
 * (ADMIN_REDIS_URL, else REDIS_URL): the gateway's user may only append records, and a long
 * history download never queues behind, or ahead of, the call records' writes.
 */
import type { Config } from '../config/load.js';
import type { Logger } from '../observability/logger.js';
import { RECORD_REDIS_CONNECT_MS, recordRedis } from '../records/open-writer.js';
import { connectedOrAfter } from '../redis/connect.js';
import { type AuditSink, logOnlyAudit } from './audit.js';
import { type AuditReader, RedisAudit } from './audit-redis.js';
import type { DownloadDeps } from './routes/downloads.js';
import type { TrafficDeps } from './routes/traffic.js';

export type AdminStores = {
  audit: AuditSink;
  auditReader?: AuditReader;
  downloads: DownloadDeps;
  traffic?: TrafficDeps;
  /**
   * Its connections made, or given up on after their connect timeout (the API opens then; a
   * Redis still away is each request's 503).
   */
  opened: Promise<void>;
  close(): void;
};

export function openAdminStores(config: Config, logger: Logger): AdminStores {
  const recordingsDir = config.recordings.dir;
  if (config.recordSink !== 'redis')
    return {
      audit: logOnlyAudit(logger),
      downloads: { recordingsDir },
      opened: Promise.resolve(),
      close: () => undefined,
    };
  const redis = recordRedis(config.admin.redisUrl || config.redisUrl);
  // a Redis that is away is each request's 503, not an unhandled event
  redis.on('error', () => undefined);
  const audit = new RedisAudit({
    redis,
    stream: config.audit.stream,
    retentionDays: config.audit.retentionDays,
    log: logger,
    now: Date.now,
  });
  const traffic = trafficStore(config);
  return {
    audit,
    auditReader: audit,
    downloads: { recordingsDir, history: { redis, stream: config.records.stream } },
    ...(traffic && { traffic: traffic.deps }),
    opened: Promise.all(
      [redis, traffic?.deps.redis].map((c) => c && connectedOrAfter(c, RECORD_REDIS_CONNECT_MS)),
    ).then(() => undefined),
    close: () => {
      redis.disconnect();
      traffic?.deps.redis.disconnect();
    },
  };
}

/**
 * The traffic stream on its own connection (BILLING_REDIS_URL, else REDIS_URL): with Redis ACLs
 * the gateway's user may only append traffic records, the billing user may read them.
 */
function trafficStore(config: Config): { deps: TrafficDeps } | undefined {
  const { records, stream, callerDisplay, billingRedisUrl } = config.traffic;
  if (records !== 'on') return undefined;
  const redis = recordRedis(billingRedisUrl || config.redisUrl);
  redis.on('error', () => undefined);
  return { deps: { redis, stream, callerDisplay } };
}
