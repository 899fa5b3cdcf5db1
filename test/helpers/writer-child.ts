/**
 * A record writer in its own process, for the crash test: `writer-child.ts <redisUrl> <spoolDir>
 * <count>` writes `count` records, prints `spooled <n>` once they are all in the spool (Redis is
 * unreachable on purpose), then waits to be killed.
 */
import { recordRedis } from '../../src/records/open-writer.js';
import { callRecord, testWriter } from './records.js';

const [url = '', spoolDir = '', count = '0'] = process.argv.slice(2);
const redis = recordRedis(url);
redis.on('error', () => undefined);
const { writer, spool } = await testWriter(redis, spoolDir, { spoolAfterMs: 50 });
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
