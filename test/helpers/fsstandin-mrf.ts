// drachtio-fsmrf 4.1.2 (no bundled types) for the FreeSWITCH stand-in's tests: the part of its
// API the tests call, loaded as the CommonJS module it is, plus a stand-in + media server bed.
import { createRequire } from 'node:module';
import type { Test } from 'tap';
import { type FsStandinHandle, type FsStandinOptions, start } from '../fsstandin/index.js';
import { type Bed, standUp } from './standin-bed.js';

export interface EslEvent {
  /** null when the event has no such header (modesl). */
  getHeader(name: string): string | null;
}

export interface MrfEndpoint {
  uuid: string;
  local: { sdp: string; mediaIp: string; mediaPort: string };
  remote: { sdp: string; mediaIp: string; mediaPort: string };
  sip: { callId: string };
  dialog: { sip: { callId: string } };
  play(file: string | string[]): Promise<{ playbackSeconds: string; playbackMilliseconds: string }>;
  modify(sdp: string): Promise<unknown>;
  bridge(other: MrfEndpoint | string): Promise<void>;
  /** Resolves with the CHANNEL_EXECUTE_COMPLETE event, whatever the recording did. */
  recordSession(...args: string[]): Promise<EslEvent>;
  record(
    file: string,
    opts?: object,
  ): Promise<{
    recordSeconds: string | null;
    recordMilliseconds: string | null;
    recordSamples: string | null;
  }>;
  execute(app: string, arg?: string): Promise<EslEvent>;
  api(command: string, args?: string | string[]): Promise<{ body?: string }>;
  getChannelVariables(includeMedia?: boolean): Promise<Record<string, string>>;
  destroy(): Promise<void>;
  on(event: 'destroy', fn: (info?: { reason?: string }) => void): this;
  once(event: 'destroy', fn: (info?: { reason?: string }) => void): this;
}

export interface MediaServer {
  sip: { ipv4: { udp: { address?: string } } };
  maxSessions: number;
  currentSessions: number;
  createEndpoint(opts?: { remoteSdp?: string }): Promise<MrfEndpoint>;
  api(command: string): Promise<string>;
  disconnect(): void;
}

interface MrfInstance {
  connect(opts: {
    address: string;
    port: number;
    secret: string;
    listenAddress: string;
  }): Promise<MediaServer>;
}

const require = createRequire(import.meta.url);
const Mrf = require('drachtio-fsmrf') as new (srf: unknown) => MrfInstance;

export const FS_SECRET = 'ClueCon-test';

export interface MediaBed extends Bed {
  fs: FsStandinHandle;
  ms: MediaServer;
}

/** drachtio stand-in + srf app + FreeSWITCH stand-in + a connected fsmrf MediaServer. */
export async function mediaUp(t: Test, options: Partial<FsStandinOptions> = {}): Promise<MediaBed> {
  const bed = await standUp(t);
  const fs = await start({ sipPort: 0, eslPort: 0, secret: FS_SECRET, ...options });
  const mrf = new Mrf(bed.app);
  const ms = await mrf.connect({
    address: fs.eslAddress.address,
    port: fs.eslAddress.port,
    secret: FS_SECRET,
    listenAddress: '127.0.0.1',
  });
  t.teardown(async () => {
    ms.disconnect();
    await fs.close();
  });
  return { ...bed, fs, ms };
}
