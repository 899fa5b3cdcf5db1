/**
 * `npm run demo`: the gateway on this machine against the drachtio stand-in, with the sample
 * dialplans, a Redis of its own (or the file sink), a sipp dealer and a sipp caller per sample
 * number; prints what each call got, where the records went and the main metrics.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MissingBinaryError, requireBinary } from '../helpers/binaries.js';
import { ROOT } from '../helpers/built.js';
import { killAllSipp } from '../helpers/sipp.js';
import { start as startStandin } from '../standin/index.js';
import { placeCall, startDealer } from './calls.js';
import { startDemoGateway } from './gateway.js';
import { sampleNumbers } from './numbers.js';
import type { Processes } from './procs.js';
import { fileStore, type RecordStore, redisStore, type ShownRecord } from './records.js';
import { formatMetrics, formatTable, type Row } from './table.js';

export type DemoOptions = {
  /** HOURS_CLOCK_START: the instant business hours are judged at. */
  at: string;
  keep: boolean;
  /** Ctrl-C or SIGTERM: no further call is placed and nothing more is printed. */
  stopped: AbortSignal;
};

const SECRET = 'cymru';
const log = (text = '') => process.stdout.write(`${text}\n`);

/** Runs the demo; resolves with the exit code (everything still running: the caller stops it). */
export async function runDemo(procs: Processes, options: DemoOptions): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'calltrack-demo-'));
  const numbers = await sampleNumbers(join(ROOT, 'dialplans'), Date.parse(options.at));
  log(`calltrack demo: the gateway against the drachtio stand-in on this machine (production: the`);
  log(`real drachtio-server and FreeSWITCH, the compose stack under config/deploy/)`);
  log(
    `dialplans: ${join(ROOT, 'dialplans')} (${numbers.length} numbers); business hours judged at ${options.at}`,
  );

  const standin = await startStandin({ sipPort: 0, adminPort: 0, secret: SECRET });
  procs.onStop(() => standin.close());
  procs.onStop(killAllSipp);
  const store = await recordStore(procs, dir);
  const sipp = which('sipp', 'sip-tester');
  const dealer = sipp ? await startDealer(options.keep ? 24 * 3600_000 : 300_000) : undefined;
  if (dealer)
    procs.onStop(async () => {
      dealer.kill();
      await dealer.done; // reaped: no zombie left behind
    });
  const gw = await startDemoGateway(procs, {
    dir,
    drachtioPort: standin.adminAddress.port,
    secret: SECRET,
    dealerPort: dealer?.port,
    hoursClockStart: options.at,
    recordEnv: store.env,
  });
  const { address, port } = standin.sipAddress;
  log(
    `gateway: pid ${gw.pid}, metrics http://127.0.0.1:${gw.httpPort}/metrics, SIP via the stand-in ${address}:${port}`,
  );
  const started = [
    ...procs.list(),
    ...(dealer?.pid ? [{ name: 'dealer sipp', pid: dealer.pid }] : []),
  ];
  const pids = started.map((p) => `${p.name} pid ${p.pid}`).join(', ');
  log(`processes: ${pids}; stand-in in the demo's own pid ${process.pid}`);
  if (!sipp) {
    procs.onStop(() => rmSync(dir, { recursive: true, force: true })); // no records to keep
    log(`readyz: ${await gw.readyz()}`);
    log('');
    log(
      `The calls need sipp: install Debian's sip-tester (apt-get install -y sip-tester) and run npm run demo again.`,
    );
    return 3;
  }
  log('');
  const calls: Call[] = [];
  for (const n of numbers) {
    if (options.stopped.aborted) return 130;
    calls.push({ ...n, ...(await placeCall(standin.sipAddress, n.number)) });
  }
  const records = await store.read(numbers.length);
  if (options.stopped.aborted) return 130;
  const rows = matchRecords(calls, records);
  log(formatTable(rows));
  log('');
  log('records:');
  for (const line of store.where) log(`  ${line}`);
  log('');
  log('metrics:');
  log(formatMetrics(await (await fetch(`http://127.0.0.1:${gw.httpPort}/metrics`)).text()));
  const complete = rows.every((r) => r.sipStatus !== '-' && r.recordId !== '-');
  if (!complete)
    log(
      `\nsome calls got no final answer or wrote no record; the gateway's log ends:\n${gw.logs().split('\n').slice(-30).join('\n')}`,
    );
  return complete ? 0 : 1;
}

type Call = { number: string; source: string; sipStatus: string };

/** One call per number, in order: the number's first record not matched yet is this call's. */
function matchRecords(calls: readonly Call[], records: readonly ShownRecord[]): Row[] {
  const left = [...records];
  return calls.map((c) => {
    const i = left.findIndex((r) => r.trackingNumber === c.number);
    const record = i >= 0 ? left.splice(i, 1)[0] : undefined;
    return {
      number: c.number,
      source: c.source,
      outcome: record?.outcome ?? '-',
      sipStatus: c.sipStatus,
      recordId: record?.id ?? '-',
      why: record?.why ?? '',
    };
  });
}

async function recordStore(procs: Processes, dir: string): Promise<RecordStore> {
  const redis = which('redis-server', 'redis-server');
  if (!redis) return fileStore(dir); // the temp dir stays: the records file is the demo's result
  procs.onStop(() => rmSync(dir, { recursive: true, force: true }));
  return redisStore(procs, redis, dir);
}

function which(name: string, debianPackage: string): string | undefined {
  try {
    return requireBinary(name, debianPackage);
  } catch (err) {
    if (err instanceof MissingBinaryError) return undefined;
    throw err;
  }
}
