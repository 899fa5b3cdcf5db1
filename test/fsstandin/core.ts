// The switch core: live channels, the event bus to every event socket, hangup and bridge.
import { randomUUID } from 'node:crypto';
import type { Channel } from './channel.js';
import type { EslSession } from './esl-session.js';
import { type CoreInfo, channelEvent, type FsEvent } from './events.js';
import type { MediaConfig } from './media.js';
import type { FsTracer } from './trace.js';

/** Q.850 cause codes for the hangup causes the stand-in uses. */
export const Q850: Readonly<Record<string, number>> = {
  NORMAL_CLEARING: 16,
  NO_ROUTE_DESTINATION: 3,
  USER_BUSY: 17,
  NO_ANSWER: 19,
  CALL_REJECTED: 21,
  DESTINATION_OUT_OF_ORDER: 27,
  NORMAL_UNSPECIFIED: 31,
  INCOMPATIBLE_DESTINATION: 88,
  ORIGINATOR_CANCEL: 487,
};

export interface SipHooks {
  /** Sends BYE for the channel's dialog with a Q.850 Reason. */
  sendBye(channel: Channel, cause: string): void;
}

export interface CoreConfig {
  host: string;
  secret: string;
  srtpOffer: boolean;
  media: MediaConfig;
}

export class Switch implements CoreInfo {
  readonly coreUuid = randomUUID();
  readonly hostname = 'fsstandin';
  readonly channels = new Map<string, Channel>();
  readonly sessions = new Set<EslSession>();
  private sequence = 1000;
  sip: SipHooks = { sendBye: () => {} };
  /** Outbound session per channel uuid. */
  readonly outbound = new Map<string, EslSession & { closeChannel(): void }>();

  constructor(
    readonly config: CoreConfig,
    readonly trace: FsTracer,
  ) {}

  get ipv4(): string {
    return this.config.host;
  }

  nextSequence(): number {
    return ++this.sequence;
  }

  fire(event: FsEvent): void {
    for (const session of this.sessions) session.offer(event);
  }

  fireChannel(name: string, channel: Channel, extra: [string, string][] = []): void {
    this.fire(channelEvent(this, name, channel, extra));
  }

  /**
   * Hangs a channel up: running applications end, CHANNEL_CALLSTATE HANGUP, the outbound socket
   * gets its disconnect notice and closes, and BYE goes out unless the far end sent it.
   */
  hangup(channel: Channel, cause: string, by: 'app' | 'far-end' | 'stand-in'): void {
    if (channel.gone) return;
    channel.gone = true;
    channel.vars.set('hangup_cause', cause);
    channel.vars.set('hangup_cause_q850', String(Q850[cause] ?? 16));
    this.trace.add({ kind: 'hangup', channel: channel.ref, cause, by });
    for (const app of [...channel.running]) app.interrupt('hangup');
    this.fireChannel('CHANNEL_CALLSTATE', channel, [
      ['Original-Channel-Call-State', channel.answered ? 'ACTIVE' : 'EARLY'],
      ['Hangup-Cause', cause],
    ]);
    this.fireChannel('CHANNEL_HANGUP', channel, [['Hangup-Cause', cause]]);
    this.fireChannel('CHANNEL_HANGUP_COMPLETE', channel, [['Hangup-Cause', cause]]);
    this.outbound.get(channel.uuid)?.closeChannel();
    this.outbound.delete(channel.uuid);
    if (by !== 'far-end') this.sip.sendBye(channel, cause);
    this.channels.delete(channel.uuid);
    this.trace.add({ kind: 'channel', event: 'destroyed', channel: channel.ref, cause });
    const partner = channel.bridgedTo ? this.channels.get(channel.bridgedTo) : undefined;
    channel.bridgedTo = undefined;
    if (partner) {
      // The bridged partner runs out of dialplan once the bridge ends and is hung up too.
      partner.bridgedTo = undefined;
      this.fireChannel('CHANNEL_UNBRIDGE', partner, [['Other-Leg-Unique-ID', channel.uuid]]);
      setImmediate(() => this.hangup(partner, 'NORMAL_CLEARING', 'stand-in'));
    }
  }

  /** `uuid_bridge A B`: playbacks end with PLAYBACK ERROR, the socket app completes on both. */
  bridge(a: Channel, b: Channel): void {
    for (const ch of [a, b]) {
      for (const app of [...ch.running]) if (app.app === 'playback') app.interrupt('bridge');
    }
    a.bridgedTo = b.uuid;
    b.bridgedTo = a.uuid;
    this.trace.add({ kind: 'bridge', a: a.ref, b: b.ref });
    for (const ch of [a, b]) {
      const other = ch === a ? b : a;
      ch.vars.set('bridge_uuid', other.uuid);
      ch.vars.set('signal_bond', other.uuid);
      this.fireChannel('CHANNEL_EXECUTE_COMPLETE', ch, [
        ['Application', 'socket'],
        ['Application-Data', ch.vars.get('current_application_data') ?? ''],
        ['Application-Response', '_none_'],
        ['Application-UUID', randomUUID()],
      ]);
      this.fireChannel('CHANNEL_EXECUTE', ch, [
        ['Application', 'uuid_bridge'],
        ['Application-Data', other.uuid],
        ['Application-UUID', randomUUID()],
      ]);
      this.fireChannel('CHANNEL_BRIDGE', ch, [['Other-Leg-Unique-ID', other.uuid]]);
    }
  }
}
