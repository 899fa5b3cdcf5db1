// One FreeSWITCH channel (a SIP leg towards drachtio): identity, SDPs, variables and what is
// running on it. Only state; the switch core and the applications act on it.
import type { LocalMedia } from './sdp.js';
import type { ChannelRef, ChannelRole, Pitfall } from './trace.js';

export interface RunningApp {
  app: string;
  /** Ends the application early: `break` (uuid_break), `bridge`, `hangup`. */
  interrupt(reason: 'break' | 'bridge' | 'hangup'): void;
}

/** What a test sees of a live channel. */
export interface ChannelView {
  uuid: string;
  callId: string;
  role: ChannelRole;
  answered: boolean;
  localSdp: string;
  remoteSdp: string;
  remoteMedia: { ip: string; port: number } | undefined;
  /** SRTP was negotiated (with FreeSWITCH's own offer, see the SRTP pitfall). */
  srtp: boolean;
  bridgedTo: string | undefined;
  played: string[];
  recordings: string[];
  pitfalls: Pitfall[];
  eslConnected: boolean;
}

export class Channel {
  readonly createdAt = Date.now();
  answered = false;
  gone = false;
  remoteSdp = '';
  localSdp = '';
  srtp = false;
  bridgedTo: string | undefined;
  /** A `record` on a bridged leg wedged the channel: hangup no longer completes. */
  wedged = false;
  /**
   * CF_BREAK set by uuid_break while no application ran: it stays until an application's loop
   * consumes it, so the next playback or record ends at once.
   */
  breakPending = false;
  readonly vars = new Map<string, string>();
  readonly running = new Set<RunningApp>();
  readonly played: string[] = [];
  readonly recordings: string[] = [];
  readonly pitfalls: Pitfall[] = [];
  eslConnected = false;
  remoteMedia: { ip: string; port: number } | undefined;

  constructor(
    readonly uuid: string,
    readonly callId: string,
    readonly role: ChannelRole,
    readonly media: LocalMedia,
  ) {}

  /** Consumes a pending CF_BREAK: true when the application that asks must end at once. */
  takePendingBreak(): boolean {
    const pending = this.breakPending;
    this.breakPending = false;
    return pending;
  }

  get ref(): ChannelRef {
    return { uuid: this.uuid, callId: this.callId, role: this.role };
  }

  view(): ChannelView {
    return {
      uuid: this.uuid,
      callId: this.callId,
      role: this.role,
      answered: this.answered,
      localSdp: this.localSdp,
      remoteSdp: this.remoteSdp,
      remoteMedia: this.remoteMedia,
      srtp: this.srtp,
      bridgedTo: this.bridgedTo,
      played: [...this.played],
      recordings: [...this.recordings],
      pitfalls: [...this.pitfalls],
      eslConnected: this.eslConnected,
    };
  }
}
