/**
 * A real drachtio-server in place of the stand-in, for `bench/cps-ab` (`BENCH_DRACHTIO_BIN`):
 * issue 16 measured CPU per call on drachtio-server itself, and the real peers decide. The
 * binary is the operator's (from the drachtio/drachtio-server image, or a machine that has it);
 * nothing here builds or fetches one. Each server gets a configuration file of its own in a temp
 * dir (the application port and SIP contact on loopback ports that were free, its log there at
 * `error`) and is killed with the bench.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { freeSipPort, freeTcpPort } from '../test/helpers/ports.js';
import { waitFor } from '../test/helpers/wait.js';
import { type Endpoint, start, type TraceRecord, type TraceTarget } from '../test/standin/index.js';
import { removeDir, tempDir, trackChild } from './cps-procs.js';

/** What a bench needs of a drachtio-server, the stand-in's or the real one. */
export type SipServer = {
  sipAddress: Endpoint;
  adminAddress: Endpoint;
  close(): Promise<void>;
};

/** What a test or bench may set of the server's SIP behaviour (its `sip` section). */
export type DrachtioSip = {
  /**
   * Log to the console (its stderr) at `info` instead of errors to a file: with that, sofia's
   * transport log writes every datagram sent and received (`recv|send N bytes from|to
   * udp/[host]:port at …:` and the message).
   */
  sipLog?: boolean;
  /** Timers T1 and T2 in ms (`sip/timers`; 500 and 4000 by default); T1×64 follows T1. */
  t1?: number;
  t2?: number;
  /** `sip/session-timers/@default-refresher`: who refreshes when an offer names nobody. */
  defaultRefresher?: 'none' | 'uac' | 'uas';
};

export type DrachtioConfig = DrachtioSip & {
  adminPort: number;
  sipPort: number;
  secret: string;
  /** Where its log file goes. */
  dir: string;
};

/** drachtio-server's XML configuration: loopback only, UDP SIP, no CDRs, errors logged to a file. */
export function drachtioConfig(c: DrachtioConfig): string {
  for (const [name, port] of [
    ['adminPort', c.adminPort],
    ['sipPort', c.sipPort],
  ] as const)
    if (!Number.isInteger(port) || port < 1 || port > 65535)
      throw new Error(`drachtio-server ${name} ${port}: expected a port number`);
  if (!/^[\w.-]+$/.test(c.secret))
    throw new Error('drachtio-server secret: letters, digits, dots and dashes only');
  for (const [name, ms] of [
    ['t1', c.t1],
    ['t2', c.t2],
  ] as const)
    if (ms !== undefined && (!Number.isInteger(ms) || ms < 1))
      throw new Error(`drachtio-server ${name} ${ms}: expected a whole number of ms`);
  const xml = (text: string) =>
    text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const timers =
    c.t1 === undefined && c.t2 === undefined
      ? ''
      : `
    <timers>${c.t1 === undefined ? '' : `<t1>${c.t1}</t1><t1x64>${c.t1 * 64}</t1x64>`}${c.t2 === undefined ? '' : `<t2>${c.t2}</t2>`}</timers>`;
  const refresher = c.defaultRefresher
    ? `
    <session-timers default-refresher="${c.defaultRefresher}"/>`
    : '';
  const logging = c.sipLog
    ? `
    <console/>
    <loglevel>info</loglevel>`
    : `
    <file>
      <name>${xml(join(c.dir, 'drachtio.log'))}</name>
      <archive>${xml(join(c.dir, 'archive'))}</archive>
      <size>10</size>
      <maxFiles>1</maxFiles>
    </file>
    <loglevel>error</loglevel>`;
  return `<drachtio>
  <admin port="${c.adminPort}" secret="${c.secret}">127.0.0.1</admin>
  <sip>
    <contacts>
      <contact>sip:127.0.0.1:${c.sipPort};transport=udp,tcp</contact>
    </contacts>${timers}${refresher}
  </sip>
  <cdrs>false</cdrs>
  <logging>${logging}
    <sofia-loglevel>0</sofia-loglevel>
  </logging>
</drachtio>
`;
}

/** The binary `variable` names, refused before anything starts if it is not there. */
export function drachtioBinary(
  text: string | undefined,
  variable = 'BENCH_DRACHTIO_BIN',
): string | undefined {
  if (text === undefined || text === '') return undefined;
  if (!existsSync(text))
    throw new Error(
      `${variable}=${text}: no such file (a drachtio-server binary, as in the drachtio/drachtio-server image)`,
    );
  return text;
}

/**
 * Whether process `pid` holds the socket listening on TCP `port` (Linux /proc). Ports are picked
 * free and bound a moment later: another run's server may take one in between, and then ours
 * exits (`bind: Address already in use`) while the port still answers, for the other.
 */
export function listensOn(pid: number, port: number): boolean {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const rows = existsSync(table) ? readFileSync(table, 'utf8').split('\n').slice(1) : [];
    for (const row of rows) {
      const [, local, , state, , , , , , inode] = row.trim().split(/\s+/);
      if (state === '0A' && local?.endsWith(`:${hex}`) && inode) inodes.add(`socket:[${inode}]`);
    }
  }
  const fds = `/proc/${pid}/fd`;
  try {
    return readdirSync(fds).some((fd) => inodes.has(readlinkSafe(join(fds, fd))));
  } catch {
    return false; // gone
  }
}

function readlinkSafe(path: string): string {
  try {
    return readlinkSync(path);
  } catch {
    return '';
  }
}

const SETPRIV = '/usr/bin/setpriv';

/**
 * The command that runs `bin` so that it is killed when this process dies, even by SIGKILL (tap
 * kills a test file that runs out of time; its exit handlers never run): util-linux's setpriv
 * sets PR_SET_PDEATHSIG and execs `bin`, which keeps the pid. Plain where setpriv is missing.
 */
export function diesWithParent(bin: string, args: string[]): [string, string[]] {
  return existsSync(SETPRIV) ? [SETPRIV, ['--pdeathsig', 'KILL', '--', bin, ...args]] : [bin, args];
}

const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

/**
 * Starts `bin` and resolves once its application port takes connections (10 s at most).
 * `sipLog`, if given, is handed its log as it comes (`DrachtioSip.sipLog`). `ports`: the ports of
 * a server this one replaces (a restart); free ones otherwise.
 */
export async function startDrachtioServer(
  bin: string,
  secret: string,
  sip: Omit<DrachtioSip, 'sipLog'> & { sipLog?: (chunk: Buffer) => void } = {},
  ports?: { adminPort: number; sipPort: number },
): Promise<SipServer> {
  // free ports can be taken by another run before this server binds them: new ones, twice more
  for (let tries = ports ? 1 : 3; ; tries--) {
    try {
      return await startOnce(bin, secret, sip, ports);
    } catch (err) {
      if (tries <= 1) throw err;
    }
  }
}

async function startOnce(
  bin: string,
  secret: string,
  sip: Omit<DrachtioSip, 'sipLog'> & { sipLog?: (chunk: Buffer) => void },
  ports: { adminPort: number; sipPort: number } | undefined,
): Promise<SipServer> {
  const dir = tempDir('calltrack-bench-drachtio-');
  const { sipLog, ...rest } = sip;
  const config = {
    ...rest,
    adminPort: ports?.adminPort ?? (await freeTcpPort()),
    sipPort: ports?.sipPort ?? (await freeSipPort()),
    secret,
    dir,
    sipLog: sipLog !== undefined,
  };
  const file = join(dir, 'drachtio.conf.xml');
  writeFileSync(file, drachtioConfig(config));
  const proc = trackChild(spawn(...diesWithParent(bin, ['-f', file]), { stdio: 'pipe' }));
  if (sipLog) proc.child.stderr?.on('data', sipLog);
  const close = async () => {
    await proc.stop();
    removeDir(dir);
  };
  try {
    await waitFor(
      () => {
        if (proc.child.exitCode !== null) throw new Error('exited');
        const pid = proc.child.pid ?? 0;
        // its own port, not another run's server that answers there
        return accepts(config.adminPort).then((yes) => yes && listensOn(pid, config.adminPort));
      },
      10_000,
      'its application port',
    );
  } catch {
    const output = proc.output();
    await close();
    throw new Error(`drachtio-server (${bin}) did not take connections:\n${output}`);
  }
  return {
    sipAddress: { address: '127.0.0.1', port: config.sipPort },
    adminAddress: { address: '127.0.0.1', port: config.adminPort },
    close,
  };
}

/**
 * The drachtio side of a bench: the binary `bin` (`BENCH_DRACHTIO_BIN`), or else the stand-in in
 * this process, whose trace goes to `trace` (a bench's probe, or nowhere: kept, it would hold
 * every frame of the run). `ports`: those of a server this one replaces.
 */
export async function startSipServer(
  bin: string | undefined,
  secret: string,
  trace: TraceTarget<TraceRecord>,
  ports?: { adminPort: number; sipPort: number },
): Promise<SipServer & { standin: boolean }> {
  if (bin) return { ...(await startDrachtioServer(bin, secret, {}, ports)), standin: false };
  const standin = await start({ sipPort: 0, adminPort: 0, ...ports, secret });
  standin.traceTo(trace);
  return { ...standin, standin: true };
}

/** Which server a bench runs on, for its progress lines. */
export function serverName(bin: string | undefined): string {
  return bin ? `drachtio-server ${bin}` : 'the stand-in';
}
