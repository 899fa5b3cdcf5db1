// The FreeSWITCH stand-in as a process of its own (test/fsstandin/cli.ts), for what the in-process
// one cannot do: die by SIGKILL, as a FreeSWITCH does in an OOM kill, with nothing said on any
// socket (no BYE, no hangup event, no CHANNEL_EXECUTE_COMPLETE for a prompt still playing). Its
// trace goes to a JSON-lines file the test reads. Killed with the test.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Test } from 'tap';
import type { FsTraceRecord } from '../fsstandin/trace.js';
import { ROOT } from './built.js';
import { freeTcpPort, freeUdpPort } from './ports.js';
import { tempDir } from './temp-dir.js';
import { waitFor } from './wait.js';

export type FsStandinProcess = {
  /** FREESWITCH for the gateway. */
  readonly setting: string;
  /** The trace so far. */
  trace(): FsTraceRecord[];
  /** SIGKILL; resolves once the process is gone. */
  kill(): Promise<void>;
};

export async function startFsStandinProcess(t: Test, secret: string): Promise<FsStandinProcess> {
  const [sip, esl] = [await freeUdpPort(), await freeTcpPort()];
  const traceFile = join(tempDir('calltrack-fsproc-'), 'trace.jsonl');
  const args = ['--import', 'tsx', 'test/fsstandin/cli.ts'];
  args.push('--sip', `127.0.0.1:${sip}`, '--esl', `127.0.0.1:${esl}`, '--secret', secret);
  args.push('--trace', traceFile);
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString('utf8')));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString('utf8')));
  await waitFor(() => output.includes(' ready: '), 20_000, `FreeSWITCH stand-in ready: ${output}`);
  return {
    setting: `127.0.0.1:${esl}:${secret}`,
    // complete lines only: the stand-in may be writing the last one as the test reads
    trace: () =>
      existsSync(traceFile)
        ? readFileSync(traceFile, 'utf8')
            .split('\n')
            .slice(0, -1)
            .filter(Boolean)
            .map((l) => JSON.parse(l) as FsTraceRecord)
        : [],
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
  };
}
