/**
 * The part of drachtio-fsmrf 4.1.2 this gateway uses, typed as it behaves (it ships no types),
 * and the module loaded as the CommonJS it is. Only `media/` sees these types.
 */
import type { Socket } from 'node:net';
import { lazyRequire } from '../util/lazy-require.js';

// no type declarations ship with it: loaded through require, typed below; only with FREESWITCH
const Mrf = lazyRequire<new (srf: unknown) => FsMrf>(import.meta.url, 'drachtio-fsmrf');

export interface FsEndpoint {
  readonly uuid: string;
  readonly local: { sdp: string };
  readonly connected: boolean;
  play(file: string): Promise<unknown>;
  /** A re-INVITE with the far end's new SDP; resolves with FreeSWITCH's answer. */
  modify(sdp: string): Promise<unknown>;
  /**
   * record_session: starts recording the channel (both sides once bridged) and resolves with the
   * app's CHANNEL_EXECUTE_COMPLETE, also when the file could not be opened (then
   * `variable_record_completion_cause` is `uri-failure`).
   */
  recordSession(path: string): Promise<{ getHeader(name: string): string | null } | undefined>;
  /**
   * The `record` app on an unbridged leg; resolves when it ends (limit, uuid_break, hangup). A
   * file FreeSWITCH could not open resolves at once without `record_*` values (null).
   */
  record(
    path: string,
    opts?: { timeLimitSecs?: number },
  ): Promise<{ recordSeconds?: string | null; recordMilliseconds?: string | null }>;
  bridge(other: FsEndpoint): Promise<void>;
  api(command: string, args?: string): Promise<unknown>;
  destroy(): Promise<void>;
  once(event: 'destroy', listener: (info?: { reason?: string }) => void): this;
}

export interface FsMediaServer {
  readonly maxSessions: number;
  readonly currentSessions: number;
  /** modesl's inbound connection; its socket is null once closed. */
  readonly conn: { socket: Socket | null };
  /** modesl's server for FreeSWITCH's outbound connections (set once ready). */
  readonly _server?: {
    server: { prependListener(e: 'connection', fn: (s: Socket) => void): void };
  };
  createEndpoint(opts?: { remoteSdp?: string }): Promise<FsEndpoint>;
  disconnect(): void;
  on(event: 'end', listener: () => void): this;
  on(event: 'error', listener: (err: Error) => void): this;
  once(event: 'ready', listener: () => void): this;
  once(event: 'error', listener: (err: Error) => void): this;
}

/** The Mrf instance: media servers reach drachtio-srf through it (`mrf.srf`). */
export interface FsMrf {
  readonly srf: unknown;
}

/** A Mrf bound to the app's drachtio-srf instance. */
export function createMrf(srf: unknown): FsMrf {
  return new (Mrf())(srf);
}

/**
 * The media server seen from one drachtio-server: createEndpoint sends its INVITE to FreeSWITCH
 * through `this.srf` (drachtio-fsmrf 4.1.2 lib/mediaserver.js, createEndpoint), which is the
 * Mrf's Srf fixed at connect time, and an endpoint's own `srf` is its media server's. A call's
 * media legs must go through the drachtio-server the call came from, so that losing another
 * server leaves them alone. Everything else (the ESL connection, the pending-connection map
 * FreeSWITCH's outbound socket is matched in) is the shared server's, reached by the prototype.
 */
export function throughSrf(ms: FsMediaServer, srf: unknown): FsMediaServer {
  return Object.create(ms, { srf: { value: srf } }) as FsMediaServer;
}
