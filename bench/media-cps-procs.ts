/**
 * The processes `bench/media-cps` needs beyond those of `bench/cps` (cps-procs.ts, which also
 * runs the callers): the gateway with FREESWITCH set and its media server connected, and the
 * FreeSWITCH stand-in in its own process (media-fsstandin.ts). Children and temp dirs are
 * registered in cps-procs.ts, which removes them on exit.
 */
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../test/helpers/built.js';
import type { Endpoint } from '../test/standin/index.js';
import { type Proc, startGateway, tempDir, trackChild } from './cps-procs.js';
import type { FsStats } from './media-fsstandin.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The media benches' secrets, and the whisper each of their anchored calls plays the dealer. */
export const SECRET = 'cymru';
export const FS_SECRET = 'ClueCon-bench';
export const WHISPER_MS = 100;
export const WHISPER_TONE = `%(${WHISPER_MS},0,800)`;

/**
 * The gateway with FREESWITCH=`freeswitch` (and `env` on top); resolves once it is ready and its
 * media server is connected (calls before that would go signalling-only).
 */
export async function startMediaGateway(
  admin: Endpoint,
  secret: string,
  dialplans: string,
  trunk: Endpoint,
  freeswitch: string,
  env: Record<string, string> = {},
): Promise<Proc & { httpPort: number }> {
  const gw = await startGateway(admin, secret, dialplans, trunk, {
    FREESWITCH: freeswitch,
    ...env,
  });
  for (let i = 0; i < 200; i++) {
    if ((await gatewayMetric(gw.httpPort, 'calltrack_media_servers_connected')) === 1) return gw;
    await sleep(50);
  }
  await gw.stop();
  throw new Error(`gateway's media server not connected after 10 s:\n${gw.output()}`);
}

/**
 * The sum of every series of a metric on the gateway's /metrics; 0 when it has none yet (a
 * labelled counter before its first count), or when the gateway does not answer.
 */
export async function gatewayMetric(httpPort: number, name: string): Promise<number> {
  const text = await fetch(`http://127.0.0.1:${httpPort}/metrics`)
    .then((r) => r.text())
    .catch(() => '');
  const values = [...text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))].map((m) =>
    Number(m[1]),
  );
  return values.reduce((a, b) => a + b, 0);
}

export type FsStandin = Proc & {
  esl: Endpoint;
  sip: Endpoint;
  stats(): Promise<FsStats>;
};

/**
 * The FreeSWITCH stand-in in its own process; `whisper` plays for `playMs`. `ports`: where it
 * listens (default: free ports), for a stand-in started again where the gateway knew it.
 */
export async function startFsStandin(
  secret: string,
  whisper: string,
  playMs: number,
  ports?: { esl: number; sip: number },
): Promise<FsStandin> {
  const script = join(import.meta.dirname, 'media-fsstandin.ts');
  const recordDir = tempDir('calltrack-bench-fsrec-');
  const portArgs = ports ? [String(ports.esl), String(ports.sip)] : [];
  const child = fork(script, [secret, whisper, String(playMs), recordDir, ...portArgs], {
    cwd: ROOT,
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const proc = trackChild(child);
  const pending = new Map<number, (s: FsStats) => void>();
  let nextId = 0;
  type Ready = { esl: Endpoint; sip: Endpoint };
  const ready = new Promise<Ready>((resolve, reject) => {
    child.on('message', (msg: { ready?: Ready; id?: number; stats?: FsStats }) => {
      if (msg.ready) resolve(msg.ready);
      else if (msg.id !== undefined && msg.stats) {
        pending.get(msg.id)?.(msg.stats);
        pending.delete(msg.id);
      }
    });
    child.once('close', () => reject(new Error(`FreeSWITCH stand-in exited:\n${proc.output()}`)));
  });
  const timeout = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const { esl, sip } = await ready.finally(() => clearTimeout(timeout));
  const stats = () =>
    new Promise<FsStats>((resolve, reject) => {
      if (!child.connected) {
        reject(new Error(`FreeSWITCH stand-in is gone:\n${proc.output()}`));
        return;
      }
      const id = nextId++;
      pending.set(id, resolve);
      child.send({ id });
    });
  return { ...proc, esl, sip, stats };
}
