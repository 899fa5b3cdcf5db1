// Health of the analytics consumer (docker-compose.yml): healthy while its consumer, named by
// the first argument, has read the record stream within the last minute. Its blocking read
// returns every 2 s, so a consumer that hangs or has lost Redis ages past that; a live process
// alone would say nothing. Runs in the gateway image with the image's working directory (/app):
// the client comes from the built gateway (dist/src/redis/connect.js), so REDIS_URL takes every
// form the consumer takes (redis://, redis-cluster://, redis-sentinel://), parsed the same way.
const { resolve } = require('node:path');
const { pathToFileURL } = require('node:url');

const consumer = process.argv[2];
const stream = process.env.RECORD_STREAM || 'calltrack:{records}:calls';
const maxIdleMs = 60_000;
// a Sentinel or cluster seed that does not answer is retried by the client's own strategies;
// the compose timeout (5 s) would kill the check without a word, so it gives up first
const giveUpMs = 4000;

async function idleMs(redis) {
  await redis.connect();
  const rows = await redis.xinfo('CONSUMERS', stream, 'analytics');
  for (const row of rows) {
    const fields = {};
    for (let i = 0; i + 1 < row.length; i += 2) fields[row[i]] = row[i + 1];
    if (fields.name === consumer) return Number(fields.idle);
  }
  return Number.POSITIVE_INFINITY;
}

async function main() {
  const { createRedis } = await import(pathToFileURL(resolve('dist/src/redis/connect.js')).href);
  const redis = createRedis(process.env.REDIS_URL || 'redis://localhost:6379', {
    lazyConnect: true,
    connectTimeout: 2000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  try {
    const idle = await idleMs(redis);
    if (idle > maxIdleMs) console.error(`consumer ${consumer}: idle ${idle} ms`);
    return idle <= maxIdleMs ? 0 : 1;
  } finally {
    redis.disconnect();
  }
}

const giveUp = setTimeout(() => {
  console.error(`no answer from Redis within ${giveUpMs} ms`);
  process.exit(1);
}, giveUpMs);

main()
  .then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      console.error(String(err));
      process.exitCode = 1;
    },
  )
  .finally(() => clearTimeout(giveUp));
