/**
 * `calltrack analytics`: the analytics consumer as a process of its own, until SIGTERM or SIGINT.
 * `calltrack analytics last-calls [--out file]`: the last call per tracking number as JSON, the
 * file `calltrack numbers reclaimable --last-calls` reads.
 */
import { hostname } from 'node:os';
import { loadConfig } from '../config/load.js';
import { logDestination } from '../observability/log-format.js';
import { createLogger } from '../observability/logger.js';
import { watchRedis } from '../observability/redis-peer.js';
import { AnalyticsConsumer } from '../records/analytics.js';
import { readLastCalls } from '../records/last-calls.js';
import { createRedis } from '../redis/connect.js';
import { CliError, type CliIO } from './io.js';
import { fileText, stdoutText } from './output.js';
import { withRedis } from './redis.js';

const USAGE = `usage:
  calltrack analytics [--consumer <name>]        consume the record stream until SIGTERM/SIGINT
  calltrack analytics last-calls [--out <file>]  last call per tracking number as JSON`;

export type AnalyticsFlags = { consumer?: string; out?: string };

export async function analyticsCommand(
  io: CliIO,
  args: string[],
  flags: AnalyticsFlags,
): Promise<number> {
  const [action, ...rest] = args;
  if (action === 'last-calls' && rest.length === 0) return await lastCallsCommand(io, flags.out);
  if (action !== undefined) throw new CliError(USAGE);
  return await consume(io, flags.consumer);
}

async function consume(io: CliIO, consumerName: string | undefined): Promise<number> {
  const config = loadConfig(io.env);
  const logger = createLogger(
    config.logLevel,
    logDestination(config.logFormat, process.stdout.isTTY === true),
  );
  // reconnects for as long as it runs; a failed command is logged and retried by the consumer
  const redis = createRedis(config.redisUrl, { connectTimeout: 5000, maxRetriesPerRequest: 1 });
  const watch = watchRedis(redis, {
    url: config.redisUrl,
    remedy:
      'set REDIS_URL to the Redis the gateways write their call records to; the analytics catch up from the stream once it answers',
    reminderMs: config.peerReminderSeconds * 1000,
    logger,
  });
  const consumer = new AnalyticsConsumer({
    redis,
    stream: config.records.stream,
    consumer: consumerName || hostname(),
    logger,
  });
  const stop = (signal: string) => {
    logger.info({ signal }, 'analytics: stopping');
    consumer.stop();
  };
  const onTerm = () => stop('SIGTERM');
  const onInt = () => stop('SIGINT');
  process.once('SIGTERM', onTerm);
  process.once('SIGINT', onInt);
  logger.info(
    { stream: config.records.stream, consumer: consumerName || hostname() },
    'analytics started',
  );
  try {
    await consumer.run();
  } finally {
    process.off('SIGTERM', onTerm);
    process.off('SIGINT', onInt);
    watch.stop();
    redis.disconnect();
  }
  logger.info(consumer.counters, 'analytics stopped');
  return 0;
}

async function lastCallsCommand(io: CliIO, path: string | undefined): Promise<number> {
  const lastCalls = await withRedis(io, ({ redis }) => readLastCalls(redis));
  const out = path ? await fileText(path) : stdoutText(io);
  await out.write(`${JSON.stringify(lastCalls, null, 2)}\n`);
  await out.close();
  return 0;
}
