/**
 * The node's readiness: not ready without a drachtio-server, a loaded dialplan, or (when
 * FreeSWITCH is configured) a media server, nor while draining; Redis away and a mail server
 * down do not take it out of service, they show in the checks. Addresses only in `detail`,
 * never a credential.
 */
import t from 'tap';
import { nodeReadiness, type ReadinessParts } from '../../src/observability/readiness.js';

const parts = (over: Partial<ReadinessParts> = {}): ReadinessParts => ({
  config: { recordSink: 'redis', redisUrl: 'redis://calltrack:s3cret@10.0.0.5:6379' },
  drachtio: { connected: 1, checks: () => ({ drachtio: true }), describe: () => 'a: up' },
  reloader: { loaded: true },
  dialplans: { checks: () => ({}) },
  admitter: { draining: false },
  calls: { size: 3 },
  writer: { redisUp: true, spooled: 0 },
  ...over,
});

t.test(
  'ready only with a server, a dialplan, media when configured, and not draining',
  async (t) => {
    t.ok(nodeReadiness(parts()).ready());
    const no = (over: Partial<ReadinessParts>, why: string) =>
      t.notOk(nodeReadiness(parts(over)).ready(), why);
    no({ drachtio: { ...parts().drachtio, connected: 0 } }, 'no drachtio-server');
    no({ reloader: { loaded: false } }, 'no dialplan loaded yet');
    no({ admitter: { draining: true } }, 'draining');
    no({ media: { connected: 0, describe: () => '' } }, 'FreeSWITCH configured, none up');
    t.ok(nodeReadiness(parts({ media: { connected: 1, describe: () => '' } })).ready());
  },
);

t.test('Redis away and mail waiting show in the checks, the node stays ready', async (t) => {
  const r = nodeReadiness(
    parts({ writer: { redisUp: false, spooled: 12 }, voicemailsPending: () => 2 }),
  ).report();
  t.equal(r.ready, true);
  t.match(r.checks, {
    records: 'spooling (12 in spool)',
    voicemail: '2 waiting for delivery',
    activeCalls: 3,
    draining: false,
    dialplans: true,
    drachtio: true,
  });
  t.equal(r.detail.redis, 'redis://10.0.0.5:6379', 'the address without its credentials');
  t.notOk(JSON.stringify(r).includes('s3cret'));
});

t.test('without Redis: the sink kind in the checks, its path only in detail', async (t) => {
  const { writer: _, ...rest } = parts();
  const r = nodeReadiness({
    ...rest,
    config: { ...rest.config, recordSink: 'file:/var/x.jsonl' },
  }).report();
  t.equal(r.checks.records, 'file');
  t.equal(r.checks.voicemail, 'off (SMTP_URL empty)');
  t.same(r.detail, { drachtio: 'a: up', recordSink: 'file:/var/x.jsonl' });
});
