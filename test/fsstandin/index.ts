// The FreeSWITCH stand-in as a library: a SIP side for drachtio-fsmrf's INVITEs, the inbound
// event socket, an outbound event socket per channel, and a trace/state view for assertions.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Endpoint } from '../standin/sip-address.js';
import type { TraceTarget } from '../standin/trace-sink.js';
import { runApi } from './api.js';
import { execute } from './apps.js';
import type { ChannelView } from './channel.js';
import { Switch } from './core.js';
import { listenInbound } from './esl-inbound.js';
import { connectOutbound } from './esl-outbound.js';
import type { EslSession, SessionHost } from './esl-session.js';
import { type EslCommand, lookup } from './esl-wire.js';
import { SipDialogs } from './sip-dialogs.js';
import { UdpSip } from './sip-wire.js';
import { type FsTraceRecord, FsTracer } from './trace.js';

export type { ChannelView } from './channel.js';
export type { ChannelRef, ChannelRole, FsTraceRecord, Pitfall } from './trace.js';

export interface FsStandinOptions {
  /** UDP port of the SIP profile (drachtio_mrf); 0 picks a free one. */
  sipPort: number;
  /** TCP port of the inbound event socket; 0 picks a free one. */
  eslPort: number;
  secret: string;
  /** HEARTBEAT interval (FreeSWITCH: 20 s). */
  heartbeatMs?: number;
  /**
   * Files that exist for `playback`, as names or name → play time in ms. Other paths play only if
   * they exist on disk; `tone_stream://` and `silence_stream://` always play.
   */
  files?: Iterable<string> | Record<string, number>;
  /** Play time of files without their own (default 50 ms). */
  playMs?: number;
  /** Where relative recording paths go (default: a fresh temp directory). */
  recordDir?: string;
  /** Directories FreeSWITCH may not write into (EACCES on open), as a volume it cannot write. */
  unwritable?: string[];
  /**
   * FreeSWITCH as shipped offers SRTP+RTP when it makes the offer (default true); false models
   * `rtp_secure_media_inbound=forbidden`.
   */
  srtpOffer?: boolean;
  /**
   * The SIP profile hangs: INVITEs from drachtio get no answer at all (the event socket still
   * works), as when sofia's profile is wedged. For the gateway's anchoring deadline.
   */
  silentSip?: boolean;
  /** Address for both sockets (default 127.0.0.1). */
  host?: string;
  t1?: number;
  t2?: number;
  traceFile?: string;
}

export interface FsStandinHandle {
  readonly sipAddress: Endpoint;
  readonly eslAddress: Endpoint;
  readonly recordDir: string;
  readonly trace: FsTraceRecord[];
  /** Where records go from now on: kept in `trace` (the default), to a function, or nowhere. */
  traceTo(target: TraceTarget<FsTraceRecord>): void;
  /** Live channels (an empty list after a call means nothing leaked). */
  channels(): ChannelView[];
  close(): Promise<void>;
}

export async function start(options: FsStandinOptions): Promise<FsStandinHandle> {
  const host = options.host ?? '127.0.0.1';
  const trace = new FsTracer(options.traceFile);
  const recordDir = options.recordDir ?? mkdtempSync(join(tmpdir(), 'fsstandin-rec-'));
  // FreeSWITCH's own directory for relative paths (sounds_dir, base_dir) always exists; the
  // directories a recording names under it are another matter (see recording.ts)
  mkdirSync(recordDir, { recursive: true });
  const sw = new Switch(
    {
      host,
      secret: options.secret,
      srtpOffer: options.srtpOffer ?? true,
      media: {
        files: fileMap(options.files),
        defaultPlayMs: options.playMs ?? 50,
        recordDir,
        unwritable: options.unwritable ?? [],
      },
    },
    trace,
  );
  const udp = await UdpSip.bind(host, options.sipPort, trace);
  const sipAddress = `${udp.address.address}:${udp.address.port}`;
  const sessionHost: SessionHost = {
    trace,
    api: (command, args) => runApi(sw, command, args, sipAddress),
    sendmsg: (_session, uuid, command) => sendmsg(sw, uuid, command),
    register: (s: EslSession) => sw.sessions.add(s),
    unregister: (s: EslSession) => sw.sessions.delete(s),
  };
  const dialogs = new SipDialogs(sw, udp, {
    t1: options.t1 ?? 500,
    t2: options.t2 ?? 4000,
    ...(options.silentSip && { silent: true }),
    onChannelReady: (channel, target) => {
      if (target) connectOutbound(sw, sessionHost, channel, target);
      else trace.add({ kind: 'note', text: `no X-esl-outbound for ${channel.uuid}: parked` });
    },
  });
  let inbound: Awaited<ReturnType<typeof listenInbound>>;
  try {
    inbound = await listenInbound(sw, sessionHost, options.eslPort, options.heartbeatMs ?? 20_000);
  } catch (err) {
    await udp.close();
    throw err;
  }
  let closing: Promise<void> | undefined;
  return {
    sipAddress: udp.address,
    eslAddress: inbound.address,
    recordDir,
    trace: trace.records,
    traceTo: (target) => trace.sendTo(target),
    channels: () => [...sw.channels.values()].map((c) => c.view()),
    close: () => {
      closing ??= (async () => {
        dialogs.close();
        for (const ch of sw.channels.values())
          for (const app of [...ch.running]) app.interrupt('hangup');
        for (const session of [...sw.sessions]) session.kill();
        await Promise.all([inbound.close(), udp.close()]);
        // a directory the caller chose is the caller's; the one made here goes with the switch
        if (!options.recordDir) rmSync(recordDir, { recursive: true, force: true });
      })();
      return closing;
    },
  };
}

/** `sendmsg`: `call-command: execute` runs an application; `hangup` hangs up directly. */
function sendmsg(sw: Switch, uuid: string, command: EslCommand): string {
  const channel = sw.channels.get(uuid);
  if (!channel) return `-ERR invalid session id [${uuid}]`;
  const call = (lookup(command.headers, 'call-command') ?? '').toLowerCase();
  if (call === 'execute') {
    const app = lookup(command.headers, 'execute-app-name') ?? '';
    const arg = lookup(command.headers, 'execute-app-arg') ?? command.body;
    const eventUuid = lookup(command.headers, 'Event-UUID') ?? '';
    setImmediate(() => {
      if (!channel.gone) execute(sw, channel, { app, arg, eventUuid });
    });
  } else if (call === 'hangup') {
    const cause = lookup(command.headers, 'hangup-cause') ?? 'NORMAL_CLEARING';
    setImmediate(() => sw.hangup(channel, cause, 'app'));
  }
  return '+OK';
}

function fileMap(files: FsStandinOptions['files']): Map<string, number> {
  const map = new Map<string, number>();
  if (!files) return map;
  if (Symbol.iterator in Object(files)) {
    for (const name of files as Iterable<string>) map.set(name, Number.NaN);
  } else {
    for (const [name, ms] of Object.entries(files as Record<string, number>)) map.set(name, ms);
  }
  return map;
}
