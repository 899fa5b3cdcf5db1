/**
 * No call without a record, through the gateway as `npm start` runs it: a call answered and held
 * when the gateway gets SIGKILL is written once as `endedBy: node-lost` — by another gateway
 * within the loss bound, or by the same NODE_ID when it starts again — with a talk time up to the
 * killed gateway's last heartbeat; a call that ended before the kill is not written twice. A
 * call admitted while Redis is down is kept in the disk journal and written at the restart. A
 * rejected call has no entry: its record, still in memory at the SIGKILL, is written by the
 * restart as it was, once, also when a life dies between writing it and noting that.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import t, { type Test } from 'tap';
import { fromFields, type StreamRecord } from '../../src/records/entry.js';
import { DEFAULT_RECORD_STREAM, journalKey } from '../../src/records/record-keys.js';
import { CALLER, CUSTOMERS, callThrough, numbersYaml, TRACKING } from '../helpers/call-bed.js';
import { type Gateway, startGateway } from '../helpers/gateway.js';
import { startRedis } from '../helpers/redis.js';
import { startSipp } from '../helpers/sipp.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

const CALLS = DEFAULT_RECORD_STREAM;
const HEARTBEAT_S = 1;
const LOST_S = 3;
/** The README's bound: the loss bound plus one reaper interval (its heartbeat), plus slack. */
const BOUND_MS = (LOST_S + HEARTBEAT_S) * 1000 + 1500;

async function bed(t: Test) {
  const redis = await startRedis(t);
  const r = new Redis(redis.url);
  r.on('error', () => undefined);
  t.teardown(() => r.disconnect());
  // the dealer answers both calls; the second it holds until the end of the test
  const dealer = await startSipp({ scenario: 'uas-answer-200.xml', calls: 2, timeoutMs: 60_000 });
  t.teardown(() => dealer.kill());
  const files = {
    'customers.yaml': CUSTOMERS,
    'numbers.yaml': numbersYaml([{ port: dealer.port }]),
  };
  const spoolDir = tempDir('calltrack-gw-spool-');
  const gateway = (node: string, env: Record<string, string> = {}) =>
    startGateway(t, files, {
      ...env,
      RECORD_SINK: 'redis',
      REDIS_URL: redis.url,
      RECORD_SPOOL_DIR: spoolDir,
      NODE_ID: node,
      JOURNAL_HEARTBEAT_SECONDS: String(HEARTBEAT_S),
      JOURNAL_NODE_LOST_SECONDS: String(LOST_S),
    });
  const stream = async (): Promise<StreamRecord[]> =>
    (await r.xrange(CALLS, '-', '+')).map(([, f]) => fromFields(f));
  return { redis, r, gateway, stream, spoolDir };
}

/** Time for every gateway to beat and reap three times: anything written twice would be by now. */
const threeBeats = () => new Promise((resolve) => setTimeout(resolve, 3 * HEARTBEAT_S * 1000));

/** One call that ends normally, then one answered and held; the gateway is killed mid-call. */
async function killMidCall(
  t: Test,
  r: Redis,
  gw: Gateway,
  node: string,
  stream: () => Promise<StreamRecord[]>,
  /** Where the held call's entry is: Redis's journal by default; the disk's in an outage. */
  noted?: () => Promise<string[]>,
  beforeHeld?: () => Promise<void>,
) {
  t.match(await callThrough(gw, 'uac-expect-200-caller-bye.xml'), { exitCode: 0 }, 'a call ends');
  await waitFor(async () => (await stream()).length === 1, 5000, 'its record');
  await beforeHeld?.();
  const held = await startSipp({
    scenario: 'uac-expect-200-await-bye.xml',
    remote: gw.sip,
    keys: { caller: CALLER, called: TRACKING },
    timeoutMs: 60_000,
  });
  t.teardown(() => held.kill());
  const answered = await waitFor(
    async () => {
      const entries = noted
        ? await noted()
        : Object.values(await r.hgetall(journalKey(CALLS, node)));
      return entries.length === 1 && JSON.parse(entries[0]!).answeredAt;
    },
    10_000,
    'the held call answered and in the journal',
  );
  await new Promise((resolve) => setTimeout(resolve, 2500));
  const killedAt = Date.now();
  gw.proc.kill('SIGKILL');
  await gw.exited;
  return { answeredMs: Date.parse(answered as string), killedAt };
}

function checkOrphan(
  t: Test,
  got: StreamRecord[],
  node: string,
  at: { answeredMs: number; killedAt: number },
) {
  t.equal(got.length, 2, `exactly two records: ${JSON.stringify(got.map((e) => e.endedBy))}`);
  t.equal(new Set(got.map((e) => e.id)).size, 2, 'no call twice');
  t.match(got[0], { outcome: 'answered', endedBy: 'caller', node }, 'the ended call, once');
  const lost = got[1]!;
  t.match(lost, { outcome: 'answered', endedBy: 'node-lost', node, trackingNumber: TRACKING });
  const talk = Number(lost.talkMs);
  // the last beat came at most one heartbeat before the kill, and not before the answer
  t.ok(
    talk >= 2500 - HEARTBEAT_S * 1000 - 200 && talk <= at.killedAt - at.answeredMs,
    `talk time ${talk} ms: up to the last beat before the kill (${at.killedAt - at.answeredMs} ms after the answer)`,
  );
}

t.test('SIGKILL mid-call: another gateway writes the call once, within the bound', async (t) => {
  const { r, gateway, stream } = await bed(t);
  const gw = await gateway('gw-killed');
  const at = await killMidCall(t, r, gw, 'gw-killed', stream);
  const other = await gateway('gw-other');
  await waitFor(
    async () => (await stream()).length >= 2,
    BOUND_MS,
    'the orphan written in the bound',
  );
  t.ok(
    Date.now() - at.killedAt <= BOUND_MS,
    `written ${Date.now() - at.killedAt} ms after the kill`,
  );
  // a few more reaper rounds: still nothing twice
  await threeBeats();
  checkOrphan(t, await stream(), 'gw-killed', at);
  t.match(await other.metrics(), /^calltrack_journal_orphans_recovered_total\{of="other"\} 1$/m);
  t.equal(await r.hlen(journalKey(CALLS, 'gw-killed')), 0, 'its journal is empty');
});

t.test('SIGKILL mid-call: the same NODE_ID started again writes the call once', async (t) => {
  const { r, gateway, stream } = await bed(t);
  const gw = await gateway('gw-again');
  const at = await killMidCall(t, r, gw, 'gw-again', stream);
  const again = await gateway('gw-again');
  await waitFor(
    async () => (await stream()).length >= 2,
    5000,
    'the orphan written at start',
  ).catch((err) => {
    t.comment(
      again
        .logs()
        .split('\n')
        .filter((l) => l.includes('journal'))
        .join('\n'),
    );
    throw err;
  });
  await threeBeats();
  checkOrphan(t, await stream(), 'gw-again', at);
  t.match(await again.metrics(), /^calltrack_journal_orphans_recovered_total\{of="self"\} 1$/m);
});

t.test('Redis down during the call, then SIGKILL: the restart writes it once', async (t) => {
  const { redis, r, gateway, stream, spoolDir } = await bed(t);
  const gw = await gateway('gw-outage');
  const file = join(spoolDir, 'gw-outage.journal');
  const onDisk = async () =>
    existsSync(file)
      ? readFileSync(file, 'utf8')
          .split('\n')
          .filter((l) => l.startsWith('{"id"'))
          .map((l) => (JSON.parse(l) as { v: string }).v)
          .slice(-1)
      : [];
  const at = await killMidCall(t, r, gw, 'gw-outage', stream, onDisk, () => redis.stop());
  await redis.start();
  const again = await gateway('gw-outage');
  await waitFor(async () => (await stream()).length >= 2, 8000, 'the orphan written at start');
  await threeBeats();
  checkOrphan(t, await stream(), 'gw-outage', at);
  t.match(await again.metrics(), /^calltrack_journal_orphans_recovered_total\{of="self"\} 1$/m);
  t.equal(readFileSync(file, 'utf8'), '', 'the disk journal is emptied');
});

t.test(
  'a rejected call whose record is in memory at SIGKILL: the restart writes it once',
  async (t) => {
    const { redis, gateway, stream, spoolDir } = await bed(t);
    // Redis away, and records wait in memory for a minute before they would go to the spool
    const gw = await gateway('gw-rejects', { RECORD_SPOOL_AFTER_MS: '60000' });
    await redis.stop();
    const unknown = await callThrough(gw, 'uac-expect-404.xml', '+493099999999');
    t.match(unknown, { exitCode: 0 }, 'the unknown number answered 404');
    const window = join(spoolDir, 'gw-rejects.window');
    const line = await waitFor(
      async () => readFileSync(window, 'utf8').match(/^\{"rec":.*\n/m)?.[0],
      5000,
      'the record in the crash window',
    );
    t.equal(readFileSync(join(spoolDir, 'gw-rejects.spool'), 'utf8'), '', 'not in the spool');
    gw.proc.kill('SIGKILL');
    await gw.exited;
    await redis.start();
    const again = await gateway('gw-rejects');
    await waitFor(async () => (await stream()).length >= 1, 8000, 'the record written at start');
    await threeBeats();
    const got = await stream();
    t.equal(got.length, 1, 'exactly one record');
    t.match(got[0], {
      outcome: 'rejected',
      rejectReason: 'unknown',
      sipStatus: '404',
      node: 'gw-rejects',
      endedBy: '',
    });
    t.equal(readFileSync(window, 'utf8'), '', 'the crash window is emptied once it is written');
    // a life killed after Redis took the record and before the window noted that
    again.proc.kill('SIGKILL');
    await again.exited;
    appendFileSync(window, line);
    const third = await gateway('gw-rejects');
    await waitFor(
      async () => readFileSync(window, 'utf8') === '',
      5000,
      'the old line taken and settled',
    );
    await threeBeats();
    t.equal((await stream()).length, 1, 'still one record: the mark check drops the replay');
    t.match(await third.metrics(), /^calltrack_records_replayed_total 1$/m, 'it was replayed');
  },
);
