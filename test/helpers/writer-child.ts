/**
 * A record writer in its own process, for the crash test: `writer-child.ts <redisUrl> <spoolDir>
 * <count>` writes `count` records, prints `spooled <n>` once they are all in the spool (Redis is
 * unreachable on purpose), then waits to be killed.
 */
import { Writable } from 'node:stream';
import { Registry } from 'prom-client';
import { createLogger } from '../../src/observability/logger.js';
import { createAnonymiser } from '../../src/records/anonymise.js';
import { recordRedis } from '../../src/records/open-writer.js';
import { Spool } from '../../src/records/spool.js';
import { StreamWriter } from '../../src/records/writer.js';
import { createWriterMetrics } from '../../src/records/writer-metrics.js';
import { callRecord } from './records.js';

const [url = '', spoolDir = '', count = '0'] = process.argv.slice(2);
const redis = recordRedis(url);
redis.on('error', () => undefined);
const spool = new Spool(spoolDir, 'gw-test', 1 << 30);
await spool.open();
const writer = new StreamWriter({
  redis,
  spool,
  stream: 'calltrack:calls',
  node: 'gw-test',
  retentionDays: 400,
  maxLength: 1_000_000,
  memoryLimit: 1000,
  spoolAfterMs: 50,
  anonymise: createAnonymiser(undefined),
  logger: createLogger('silent', new Writable({ write: (_c, _e, cb) => cb() })),
  metrics: createWriterMetrics(new Registry()),
});
const ids: string[] = [];
for (let i = 0; i < Number(count); i++) {
  const r = callRecord('answered', { recordId: `crash-${i}` });
  ids.push(r.recordId);
  writer.write(r);
}
const timer = setInterval(() => {
  if (spool.pending >= ids.length) {
    process.stdout.write(`spooled ${spool.pending}\n`);
    clearInterval(timer);
  }
}, 20);
setInterval(() => undefined, 60_000);
