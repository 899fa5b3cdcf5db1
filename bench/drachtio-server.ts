/**
 * A real drachtio-server in place of the stand-in, for `bench/cps-ab` (`BENCH_DRACHTIO_BIN`):
 * issue 16 measured CPU per call on drachtio-server itself, and the real peers decide. The
 * binary is the operator's (from the drachtio/drachtio-server image, or a machine that has it);
 * nothing here builds or fetches one. Each server gets a configuration file of its own in a temp
 * dir (the application port and SIP contact on loopback ports that were free, its log there at
 * `error`) and is killed with the bench.
 */
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { freeTcpPort, freeUdpPort } from '../test/helpers/ports.js';
import { waitFor } from '../test/helpers/wait.js';
import type { Endpoint } from '../test/standin/index.js';
import { removeDir, tempDir, trackChild } from './cps-procs.js';

/** What a bench needs of a drachtio-server, the stand-in's or the real one. */
export type SipServer = {
  sipAddress: Endpoint;
  adminAddress: Endpoint;
  close(): Promise<void>;
};

export type DrachtioConfig = {
  adminPort: number;
  sipPort: number;
  secret: string;
  /** Where its log file goes. */
  dir: string;
};

/** drachtio-server's XML configuration: loopback only, UDP SIP, no CDRs, errors logged. */
export function drachtioConfig(c: DrachtioConfig): string {
  for (const [name, port] of [
    ['adminPort', c.adminPort],
    ['sipPort', c.sipPort],
  ] as const)
    if (!Number.isInteger(port) || port < 1 || port > 65535)
      throw new Error(`drachtio-server ${name} ${port}: expected a port number`);
  if (!/^[\w.-]+$/.test(c.secret))
    throw new Error('drachtio-server secret: letters, digits, dots and dashes only');
  const xml = (text: string) =>
    text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return `<drachtio>
  <admin port="${c.adminPort}" secret="${c.secret}">127.0.0.1</admin>
  <sip>
    <contacts>
      <contact>sip:127.0.0.1:${c.sipPort};transport=udp</contact>
    </contacts>
  </sip>
  <cdrs>false</cdrs>
  <logging>
    <file>
      <name>${xml(join(c.dir, 'drachtio.log'))}</name>
      <archive>${xml(join(c.dir, 'archive'))}</archive>
      <size>10</size>
      <maxFiles>1</maxFiles>
    </file>
    <sofia-loglevel>0</sofia-loglevel>
    <loglevel>error</loglevel>
  </logging>
</drachtio>
`;
}

/** The binary `BENCH_DRACHTIO_BIN` names, refused before anything starts if it is not there. */
export function drachtioBinary(text: string | undefined): string | undefined {
  if (text === undefined || text === '') return undefined;
  if (!existsSync(text))
    throw new Error(
      `BENCH_DRACHTIO_BIN=${text}: no such file (a drachtio-server binary, as in the drachtio/drachtio-server image)`,
    );
  return text;
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

/** Starts `bin` and resolves once its application port takes connections (10 s at most). */
export async function startDrachtioServer(bin: string, secret: string): Promise<SipServer> {
  const dir = tempDir('calltrack-bench-drachtio-');
  const config = { adminPort: await freeTcpPort(), sipPort: await freeUdpPort(), secret, dir };
  const file = join(dir, 'drachtio.conf.xml');
  writeFileSync(file, drachtioConfig(config));
  const proc = trackChild(spawn(bin, ['-f', file], { stdio: 'pipe' }));
  const close = async () => {
    await proc.stop();
    removeDir(dir);
  };
  try {
    await waitFor(
      () => {
        if (proc.child.exitCode !== null) throw new Error('exited');
        return accepts(config.adminPort);
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
