// Health of the analytics consumer (docker-compose.yml): healthy while its consumer, named by
// the first argument, has read the record stream within the last minute. Its blocking read
// returns every 2 s, so a consumer that hangs or has lost Redis ages past that; a live process
// alone would say nothing. Runs in the gateway image, whose node_modules has ioredis.
const { Redis } = require('ioredis');

const consumer = process.argv[2];
const stream = process.env.RECORD_STREAM || 'calltrack:{records}:calls';
const maxIdleMs = 60_000;

const redis = new Redis(process.env.REDIS_URL, {
  lazyConnect: true,
  connectTimeout: 2000,
  maxRetriesPerRequest: 0,
  retryStrategy: () => null,
});
redis.on('error', () => undefined);

async function idleMs() {
  await redis.connect();
  const rows = await redis.xinfo('CONSUMERS', stream, 'analytics');
  for (const row of rows) {
    const fields = {};
    for (let i = 0; i + 1 < row.length; i += 2) fields[row[i]] = row[i + 1];
    if (fields.name === consumer) return Number(fields.idle);
  }
  return Number.POSITIVE_INFINITY;
}

idleMs()
  .then((idle) => {
    if (idle > maxIdleMs) console.error(`consumer ${consumer}: idle ${idle} ms`);
    process.exitCode = idle <= maxIdleMs ? 0 : 1;
  })
  .catch((err) => {
    console.error(String(err));
    process.exitCode = 1;
  })
  .finally(() => redis.disconnect());
