/**
 * Composition root: reads the configuration, builds every part, wires them, starts, and hands
 * them to drain.ts on SIGTERM. The only place (with config/) that reads the environment.
 */
import { hostname } from 'node:os';
import { DialplanHistory } from './admin/history.js';
import { createHttpServer } from './admin/http.js';
import { startAdmin } from './admin/start.js';
import { loadAdminTls } from './admin/tls.js';
import { TokenStore } from './admin/token-store.js';
import { ActiveCalls } from './call/registry.js';
import { sinkFromConfig } from './call/sinks.js';
import { loadCarriers } from './config/carriers-file.js';
import { snapshotEnvironment } from './config/env-snapshot.js';
import { ConfigError, hoursClock, loadConfig } from './config/load.js';
import { startDialplans } from './dialplan/distribution/start.js';
import { drainAndStop } from './drain.js';
import { Admitter } from './edge/admission.js';
import { NumberCalls } from './edge/loops.js';
import { fsMediaPort } from './media/anchor.js';
import { startMedia } from './media/start.js';
import { COUNTRY_CODES } from './numbering/classify.js';
import { logDestination } from './observability/log-format.js';
import { createLogger } from './observability/logger.js';
import { createMetrics } from './observability/metrics.js';
import { nodeReadiness } from './observability/readiness.js';
import { stateGauge } from './observability/tallied.js';
import { startRecordingSweeper } from './recordings/sweeper.js';
import { createJournalMetrics } from './records/journal-metrics.js';
import { openWriter } from './records/open-writer.js';
import { createWriterMetrics } from './records/writer-metrics.js';
import { connectDrachtioServers } from './sip/drachtio-servers.js';
import { strayRejectionHandler } from './sip/stray-rejections.js';
import { TransportFit } from './sip/transport-fit.js';
import { startOutbox } from './voicemail/start.js';

function configOrExit() {
  try {
    const config = loadConfig(process.env);
    const carriers = loadCarriers(config.carriersFile);
    // the tokens file is read before anything starts: an admin API without valid tokens never runs
    const tokens = config.admin.httpPort > 0 ? new TokenStore(config.admin.tokensFile) : undefined;
    const adminTls = config.admin.httpPort > 0 ? loadAdminTls(config.admin) : undefined;
    return { config, carriers, tokens, adminTls };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`calltrack: ${err.message}\n`);
    process.exit(2);
  }
}

const { config, carriers, tokens, adminTls } = configOrExit();
// read once above; drachtio-srf reads it for every SIP header: ~155 ns a read, ~1 ns of a copy
snapshotEnvironment();
// pretty on a terminal, JSON lines for a collector (LOG_FORMAT)
const logger = createLogger(
  config.logLevel,
  logDestination(config.logFormat, process.stdout.isTTY === true),
);
// a library's fire-and-forget BYE on a dialog already gone must not end every call (ENODIALOG)
process.on('unhandledRejection', strayRejectionHandler(logger));
const reminderMs = config.peerReminderSeconds * 1000;
const metrics = createMetrics();
const nodeId = config.nodeId || hostname();
// every version served since start, for GET /v1/dialplan/history (API writes name their author)
const history = new DialplanHistory();
// destinations naming a transport (sips:, ;transport=) or an IP family a drachtio-server lacks
const transportFit = new TransportFit(
  logger,
  metrics.transportUnavailable,
  config.resolvedTrunk.route,
);
// DIALPLAN_SOURCE: the folder (and maybe publishing it), or the snapshot published in Redis
const dialplans = await startDialplans({
  config,
  nodeId,
  logger,
  metrics,
  onLoaded: (outcome, table) => {
    history.record({
      version: outcome.version,
      at: table.info.loadedAt,
      origin: config.distribution.source,
      numbers: outcome.numbers,
    });
    transportFit.tableLoaded(table);
  },
});
const { reloader } = dialplans;

// monotonic: a wall-clock step never empties or refills a rate limit
const admitter = new Admitter(
  {
    carriers,
    unknownSources: config.unknownSources,
    scannerUserAgents: config.scannerUserAgents,
    sourceRate: { ...config.rateLimit, capacity: config.rateLimit.sources },
    node: config.overload,
  },
  () => performance.now(),
);
logger[config.unknownSources === 'admit' ? 'warn' : 'info'](
  {
    carriersFile: config.carriersFile,
    carriers: admitter.carrierNames,
    trusted: carriers.filter((c) => c.trustIdentity).map((c) => c.name),
    unknownSources: config.unknownSources,
  },
  config.unknownSources === 'admit'
    ? 'sources outside every carrier are admitted (P-Asserted-Identity ignored, per-source rate)'
    : 'carriers loaded; other sources get 403',
);
const calls = new ActiveCalls();
// one connection per drachtio-server (DRACHTIO); a server that goes away ends only its own calls
const drachtio = connectDrachtioServers(config.drachtioServers, {
  logger,
  metrics,
  calls,
  reminderMs,
  setting: config.drachtio.servers ? 'DRACHTIO' : 'DRACHTIO_HOST',
  onConnected: (server, hostports) => transportFit.connected(server, hostports),
});
// without it an alert on no connected server could not tell signalling-only from FreeSWITCH down
metrics.mediaServersConfigured.set(config.media.servers.length);
const media =
  config.media.servers.length > 0
    ? await startMedia({
        media: config.media,
        logger,
        metrics,
        srf: drachtio.servers[0]?.srf,
        reminderMs,
      })
    : undefined;
const records =
  config.recordSink === 'redis'
    ? await openWriter(
        config,
        nodeId,
        logger,
        createWriterMetrics(metrics.registry),
        createJournalMetrics(metrics.registry),
      )
    : undefined;
const sink = records?.writer ?? sinkFromConfig(config.recordSink, logger);
if (config.traffic.records === 'on' && !records)
  logger.warn(
    { recordSink: config.recordSink },
    'TRAFFIC_RECORDS=on needs RECORD_SINK=redis: no traffic records are written',
  );
let voicemailsPending = 0;
const outbox = config.voicemail.smtpUrl
  ? startOutbox(config.voicemail, logger, metrics, (n) => {
      voicemailsPending = n;
    })
  : undefined;
if (!outbox)
  logger.info(
    "SMTP_URL is empty: voicemail is off, callers get the dealers' failure instead (and 480 from a closed number whose action is voicemail)",
  );
if (!media)
  logger.info(
    'FREESWITCH is empty: calls are signalling only (no whisper, recording or voicemail; a closed number announces nothing before its 480)',
  );
const { ready, report } = nodeReadiness({
  config,
  drachtio,
  reloader,
  dialplans,
  admitter,
  calls,
  ...(media && { media }),
  ...(records && { writer: records.writer }),
  ...(outbox && { voicemailsPending: () => voicemailsPending }),
});
// read at each scrape from the same checks as /readyz, so the alert and the probe never disagree
stateGauge(metrics.registry, 'calltrack_ready', '1 while /readyz answers 200', ready);
if (records)
  stateGauge(
    metrics.registry,
    'calltrack_redis_connected',
    "1 while the record writer's Redis connection is up (RECORD_SINK=redis only)",
    () => records.redis.status === 'ready',
  );
drachtio.answerOptions(
  () => ({ ready: ready(), draining: admitter.draining }),
  config.retryAfterSeconds,
  (source) => admitter.knows(source),
);
// every server's INVITEs reach this one call path; each call's legs go through its own server
drachtio.routeInvites({
  onUnmatched: (method) => metrics.unmatched.inc({ method }),
  onUnanswerable: (reason) => metrics.unanswerable.inc({ reason }),
  maxDurationMs: config.maxCallDurationSeconds * 1000,
  keepaliveMs: config.dialogKeepaliveSeconds * 1000,
  ringingRefreshMs: config.ringingRefreshSeconds * 1000,
  transferRingTimeoutMs: config.transferRingTimeoutSeconds * 1000,
  admitter,
  numberCalls: new NumberCalls(),
  table: () => reloader.table,
  sink,
  ...(records && { journal: records.journal }),
  metrics,
  logger,
  trunk: config.resolvedTrunk,
  maxRedirects: config.maxRedirects,
  nodeId,
  defaultCountryCode: COUNTRY_CODES[config.defaultCountry],
  retryAfterSeconds: config.retryAfterSeconds,
  now: Date.now,
  hoursNow: hoursClock(config.hoursClockStart),
  ...(media && {
    media: {
      // each server its own: a media leg goes through the server its call came from
      port: (srf) => fsMediaPort(media, logger, srf),
      onError: (step: string) => metrics.mediaErrors.inc({ step }),
      anchorTimeoutMs: config.media.anchorTimeoutMs,
      recordings: { dir: config.recordings.dir, noticeFile: config.recordings.noticeFile },
      ...(outbox && {
        voicemail: {
          dir: config.voicemail.dir,
          greetingFile: config.voicemail.greetingFile,
          maxSeconds: config.voicemail.maxSeconds,
          outbox,
        },
      }),
    },
  }),
});
// recordings exist only with media; the sweep also runs without, for what an earlier run left
const sweeper = startRecordingSweeper({
  dir: config.recordings.dir,
  intervalMs: config.recordings.purgeIntervalMs,
  logger,
  now: Date.now,
  onDeleted: (n) => metrics.recordingsDeleted.inc(n),
  onSwept: (at) => metrics.recordingPurgeLastSuccess.set(at / 1000),
  onFailed: () => metrics.recordingPurgeFailures.inc(),
});

// the admin API opens first, with its stores: a node whose /readyz answers has it listening
const admin = tokens
  ? await startAdmin({
      config,
      logger,
      tokens,
      https: adminTls,
      reloader,
      history,
      transportWarnings: (entry) => transportFit.warningsFor(entry),
    })
  : undefined;
const http = createHttpServer({
  registry: metrics.registry,
  detail: config.readyzDetail === 'on',
  readiness: report,
});
await http.listen({ host: config.httpHost, port: config.httpPort });
logger.info(
  {
    // where the listener really is: ops and tests see loopback-only at a glance
    http: http.addresses(),
    ...(admin && { admin: admin.addresses(), adminScheme: adminTls ? 'https' : 'http' }),
    ...(config.distribution.source === 'files'
      ? { dialplanDir: config.dialplanDir, dialplanPublish: config.distribution.publish }
      : { dialplanSource: 'redis', dialplanCacheDir: config.distribution.cacheDir }),
    drachtio: drachtio.names,
    // the user name and password are never logged, only whether the trunk gets credentials
    trunk: config.outboundTrunk,
    trunkAuth: config.resolvedTrunk.auth ? 'digest' : 'none',
  },
  'calltrack started',
);

process.on('SIGHUP', () => dialplans.reload());
const stopping = {
  config,
  logger,
  admitter,
  calls,
  drachtio,
  dialplans,
  sweeper,
  sink,
  records,
  outbox,
  media,
  tokens,
  admin,
  http,
};
const stop = (signal: string) => void drainAndStop(signal, stopping).then(() => process.exit(0));
process.once('SIGTERM', () => stop('SIGTERM'));
process.once('SIGINT', () => stop('SIGINT'));
