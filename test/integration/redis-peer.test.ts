import { Writable } from 'node:stream';
import t from 'tap';
import { createLogger } from '../../src/observability/logger.js';
import { watchRedis } from '../../src/observability/redis-peer.js';
import { recordRedis } from '../../src/records/open-writer.js';
import { startRedis } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';

type Line = { level: number; msg: string; peer?: string };

t.test(
  'Redis away, back, away: one warning each time, reminders, one line when back',
  async (t) => {
    const server = await startRedis(t);
    await server.stop();
    const lines: Line[] = [];
    const logger = createLogger(
      'debug',
      new Writable({
        write(chunk, _enc, cb) {
          lines.push(JSON.parse(String(chunk)) as Line);
          cb();
        },
      }),
    );
    const redis = recordRedis(server.url);
    t.teardown(() => redis.disconnect());
    const address = `127.0.0.1:${server.port}`;
    const watch = watchRedis(redis, {
      url: server.url,
      remedy: 'set REDIS_URL',
      reminderMs: 1000,
      logger,
    });
    t.teardown(() => watch.stop());
    const warnings = () => lines.filter((l) => l.level === 40).map((l) => l.msg);

    await new Promise((r) => setTimeout(r, 2500));
    t.equal(warnings()[0], `no Redis at ${address}: set REDIS_URL`);
    t.equal(warnings().filter((m) => m.startsWith('no Redis')).length, 1, 'said once');
    const reminders = warnings().filter((m) => m.startsWith(`still no Redis at ${address}, `));
    t.ok(reminders.length >= 1 && reminders.length <= 2, `reminders: ${reminders.length}`);
    t.ok(watch.attempts > reminders.length + 1, `${watch.attempts} attempts, most of them quiet`);

    await server.start();
    await waitFor(() => watch.up, 5000, 'Redis reached');
    t.match(lines.at(-1), {
      level: 30,
      msg: new RegExp(
        `^connected to Redis at ${address} after \\d+ failed attempts, down for \\ds$`,
      ),
    });

    const before = warnings().length;
    await server.stop();
    await waitFor(() => !watch.up, 5000, 'the loss noticed');
    await new Promise((r) => setTimeout(r, 500));
    t.same(warnings().slice(before), [`lost Redis at ${address}: set REDIS_URL`]);
    await server.start();
    await waitFor(() => watch.up, 5000, 'Redis reached again');
  },
);
