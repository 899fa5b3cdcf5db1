/**
 * The bed of one `bench/faults` fault, built fresh for each so every fault starts from an empty
 * stream: a redis-server (faults-redis.ts), the drachtio stand-in (in this process) or a real
 * drachtio-server behind a proxy that sees what it hands to whom (recording-proxy.ts), the
 * FreeSWITCH stand-in (its own process), a sipp dealer and the gateway from dist/ as production
 * runs it (records to Redis, spool on disk, the default log level) with FREESWITCH set. Each
 * part can be broken and brought back where the others knew it: same ports, same NODE_ID, same
 * spool and data directories. Every process and directory is registered in cps-procs.ts and
 * removed on exit, whatever the cause.
 */
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pseudonymiser } from '../src/records/anonymise.js';
import { FIELDS } from '../src/records/entry.js';
import { observingProxy, type RecordingProxy } from '../test/helpers/recording-proxy.js';
import { recordFields, recordIds } from '../test/helpers/stream-ids.js';
import { type Proc, startDealer, startGateway, tempDir } from './cps-procs.js';
import { type SipServer, startSipServer } from './drachtio-server.js';
import { type CallProbe, probeCalls } from './faults-calls.js';
import { type CallMatch, type KeyedCall, matchCalls } from './faults-count.js';
import { FaultRedis } from './faults-redis.js';
import { type FsStandin, gatewayMetric, startFsStandin } from './media-cps-procs.js';

const SECRET = 'cymru';
const FS_SECRET = 'ClueCon-faults';
const NODE_ID = 'faults-gw';
export const WHISPER_MS = 100;
export const WHISPER_TONE = `%(${WHISPER_MS},0,800)`;
const STREAM = 'calltrack:{records}:calls';
const SPOOL_FULL_LINE = 'record spool full';
/** Records carry the caller's pseudonym: the bench matches them to calls by it (unread). */
const PSEUDONYM_SECRET = 'faults-bench';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Gateway = Proc & { httpPort: number };

export class FaultBed {
  readonly redis: FaultRedis;
  readonly #dir: string;
  readonly #env: Record<string, string | undefined>;
  readonly #probes: CallProbe[] = [];
  #killed: { conn: number; at: number } | undefined;
  #dealer!: Proc & { address: { address: string; port: number } };
  /** A real drachtio-server's binary, or undefined: the stand-in. */
  readonly #bin: string | undefined;
  #relay: RecordingProxy | undefined;
  server!: SipServer;
  fs: FsStandin | undefined;
  gateway: Gateway | undefined;
  /** Sum of `dropped` over every "record spool full" line any gateway of the bed logged. */
  droppedLogged = 0;

  readonly #logFile: string | undefined;

  private constructor(
    redis: FaultRedis,
    dir: string,
    env: Record<string, string | undefined>,
    logFile: string | undefined,
    bin: string | undefined,
  ) {
    this.redis = redis;
    this.#dir = dir;
    this.#env = env;
    this.#logFile = logFile;
    this.#bin = bin;
  }

  /**
   * `dialplan`: the YAML; `env`: on top of the production settings (the spool's limits);
   * `logFile`: where every gateway of the bed appends its log (stdout and stderr), if anywhere;
   * `bin`: a drachtio-server binary to run in place of the stand-in.
   */
  static async up(
    dialplan: string,
    env: Record<string, string | undefined>,
    parts: { bed?: FaultBed },
    logFile?: string,
    bin?: string,
  ): Promise<FaultBed> {
    const dir = tempDir('calltrack-bench-faults-');
    mkdirSync(join(dir, 'dialplans'));
    writeFileSync(join(dir, 'dialplans', 'bench.yaml'), dialplan);
    const bed = new FaultBed(await FaultRedis.start(), dir, env, logFile, bin);
    parts.bed = bed;
    await bed.#startServer();
    bed.#dealer = await startDealer();
    await bed.startFs();
    await bed.startGateway();
    return bed;
  }

  /** Distinct caller INVITEs handed to a gateway, over every stand-in the bed has run. */
  handed(): number {
    return this.#probes.reduce((n, p) => n + p.handed(), 0);
  }

  /** The stand-in or the real server; `ports`: those of the one it replaces. */
  async #startServer(ports?: { sipPort: number; adminPort: number }): Promise<void> {
    // one probe per stand-in, its connections numbered anew; the real server's is the relay's
    const probe = this.#relay ? undefined : probeCalls();
    const sip = await startSipServer(this.#bin, SECRET, probe?.observe ?? 'none', ports);
    this.server = sip;
    if (!probe) return;
    this.#probes.push(probe);
    if (sip.standin) return;
    // the real server keeps no trace; the relay outlives its restarts, numbering connections once
    this.#relay = await observingProxy(sip.adminAddress, probe.observe);
  }

  /** Stops the drachtio-server (or stand-in) and, after `gapMs`, starts it on the same ports. */
  async restartServer(gapMs: number): Promise<void> {
    const { sipAddress, adminAddress } = this.server;
    await this.server.close();
    await sleep(gapMs);
    await this.#startServer({ sipPort: sipAddress.port, adminPort: adminAddress.port });
  }

  async startFs(): Promise<void> {
    const ports = this.fs && { esl: this.fs.esl.port, sip: this.fs.sip.port };
    this.fs = await startFsStandin(FS_SECRET, `tone_stream://${WHISPER_TONE}`, WHISPER_MS, ports);
  }

  /** SIGKILL the FreeSWITCH stand-in; `startFs` brings it back on the same ports. */
  async killFs(): Promise<void> {
    await this.fs?.stop();
  }

  /** The gateway; resolves once it is ready and its media server connected. */
  async startGateway(): Promise<void> {
    const fs = this.fs!;
    const gw = await startGateway(
      this.#relay?.address ?? this.server.adminAddress,
      SECRET,
      join(this.#dir, 'dialplans'),
      this.#dealer.address,
      {
        RECORD_SINK: 'redis',
        REDIS_URL: this.redis.url,
        RECORD_SPOOL_DIR: join(this.#dir, 'spool'),
        NODE_ID,
        CALLER_PSEUDONYM_SECRET: PSEUDONYM_SECRET,
        FREESWITCH: `${fs.esl.address}:${fs.esl.port}:${FS_SECRET}`,
        // unset: the gateway's default level (info), so the drops are logged as in production
        LOG_LEVEL: undefined,
        ...this.#env,
      },
    );
    this.gateway = gw;
    this.#watchDrops(gw);
    if (this.#logFile) {
      const file = createWriteStream(this.#logFile, { flags: 'a' });
      gw.child.stdout?.pipe(file);
      gw.child.stderr?.pipe(file);
    }
    for (let i = 0; i < 200; i++) {
      if ((await gatewayMetric(gw.httpPort, 'calltrack_media_servers_connected')) === 1) return;
      await sleep(50);
    }
    throw new Error(`gateway's media server not connected after 10 s:\n${gw.output()}`);
  }

  /** SIGKILL the gateway (no chance to flush or spool anything), then the same again. */
  async killAndRestartGateway(): Promise<void> {
    const probe = this.#probes.at(-1);
    this.#killed = { conn: probe?.lastConn() ?? -1, at: performance.now() };
    await this.gateway?.stop();
    await this.startGateway();
  }

  /**
   * New INVITEs the stand-in handed to the killed gateway's connection after the SIGKILL: in its
   * socket's buffer, read by no one, unknown to every journal. drachtio-server does the same
   * until it sees the connection close; no gateway can write their records.
   */
  handedToTheDead(): number {
    const killed = this.#killed;
    const calls = this.#probes.at(-1)?.calls() ?? [];
    return killed ? calls.filter((c) => c.conn === killed.conn && c.at >= killed.at).length : 0;
  }

  /**
   * Every call handed matched to the records by caller pseudonym and number (faults-count.ts
   * matchCalls): those the killed gateway never read (handed after the kill, or still unread in
   * its socket when the kill came: a busy gateway reads late), and records matching no call.
   */
  async matchCalls(): Promise<CallMatch> {
    const pseudonym = pseudonymiser(PSEUDONYM_SECRET);
    const last = this.#probes.length - 1;
    // connection numbers are per stand-in: only the last one's can be the killed gateway's
    const calls: KeyedCall[] = this.#probes.flatMap((probe, i) =>
      probe.calls().map((c) => ({
        key: `${pseudonym(c.caller, c.startedAt)}|${c.called}`,
        conn: i === last ? c.conn : -1,
        acted: c.acted,
      })),
    );
    const client = this.redis.client();
    try {
      const fields = await recordFields(client, STREAM, [
        FIELDS.callerPseudonym,
        FIELDS.trackingNumber,
      ]);
      return matchCalls(
        calls,
        fields.map(([p, n]) => `${p ?? ''}|${n ?? ''}`),
        this.#killed?.conn ?? -1,
      );
    } finally {
      client.disconnect();
    }
  }

  #watchDrops(gw: Gateway): void {
    let partial = '';
    gw.child.stdout?.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.includes(SPOOL_FULL_LINE)) continue;
        try {
          this.droppedLogged += Number(JSON.parse(line).dropped) || 0;
        } catch {
          // not JSON: not the gateway's pino line
        }
      }
    });
  }

  /** A part that died by itself (not one the fault killed and brought back) voids the figures. */
  checkAlive(): void {
    for (const [what, p] of [
      ['gateway', this.gateway],
      ['sipp dealer', this.#dealer],
      ['FreeSWITCH stand-in', this.fs],
    ] as const)
      if (p && (p.child.exitCode !== null || p.child.signalCode !== null))
        throw new Error(`${what} exited:\n${p.output()}`);
  }

  /** Waits (at most `waitMs`) for no call in progress and nothing waiting to be written. */
  async drain(waitMs: number): Promise<{ active: number; waiting: number }> {
    const port = this.gateway!.httpPort;
    const deadline = Date.now() + waitMs;
    for (;;) {
      const active = await gatewayMetric(port, 'calltrack_active_calls');
      const waiting =
        (await gatewayMetric(port, 'calltrack_records_queued')) +
        (await gatewayMetric(port, 'calltrack_records_spool_pending'));
      if ((active === 0 && waiting === 0) || Date.now() > deadline) return { active, waiting };
      await sleep(250);
    }
  }

  /** Waits (at most `waitMs`) until the stream holds `entries` entries. */
  async awaitEntries(entries: number, waitMs: number): Promise<number> {
    const client = this.redis.client();
    try {
      const deadline = Date.now() + waitMs;
      for (;;) {
        const n = await client.xlen(STREAM);
        if (n >= entries || Date.now() > deadline) return n;
        await sleep(1000);
      }
    } finally {
      client.disconnect();
    }
  }

  async countRecords(): Promise<{ entries: number; distinct: number }> {
    const client = this.redis.client();
    try {
      const ids = await recordIds(client, STREAM);
      return { entries: ids.length, distinct: new Set(ids).size };
    } finally {
      client.disconnect();
    }
  }

  /** A metric of the gateway now up (a restarted gateway counts from 0 again). */
  metric(name: string): Promise<number> {
    return gatewayMetric(this.gateway!.httpPort, name);
  }

  /** Everything down, the gateway first (so it does not log the others going away). */
  async down(): Promise<void> {
    for (const p of [this.gateway, this.#dealer, this.fs]) await p?.stop().catch(() => undefined);
    await this.server?.close().catch(() => undefined);
    await this.#relay?.close();
    await this.redis.kill();
  }
}
