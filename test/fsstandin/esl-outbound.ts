// The outbound event socket: for each new channel the stand-in connects to the `X-esl-outbound`
// address (the `socket <addr> async full` dialplan application), waits for `connect`, replies
// with the channel data, then takes events/filter/sendmsg/api like FreeSWITCH in async full mode.
import { connect, type Socket } from 'node:net';
import type { Channel } from './channel.js';
import type { Switch } from './core.js';
import { EslSession, type SessionHost } from './esl-session.js';
import { type EslCommand, lookup, serializePlain } from './esl-wire.js';
import { channelEvent } from './events.js';

class OutboundSession extends EslSession {
  private connected = false;

  constructor(
    host: SessionHost,
    socket: Socket,
    private readonly sw: Switch,
    private readonly channel: Channel,
  ) {
    super(host, socket, `outbound-${channel.uuid.slice(0, 8)}`);
  }

  protected override sessionUuid(): string {
    return this.channel.uuid;
  }

  protected handle(command: EslCommand): void {
    const line = command.line.trim();
    if (!this.connected && /^connect\b/i.test(line)) {
      this.connected = true;
      this.write(channelData(this.sw, this.channel));
      return;
    }
    if (this.common(command)) return;
    if (/^sendmsg\b/i.test(line)) {
      const uuid =
        line.slice(7).trim() || lookup(command.headers, 'session-id') || this.channel.uuid;
      this.reply(this.host.sendmsg(this, uuid, command));
      return;
    }
    if (/^(myevents|linger|nolinger|resume|divert_events)\b/i.test(line)) {
      this.reply(simpleReply(line));
      return;
    }
    this.reply('-ERR command not found');
  }

  closeChannel(): void {
    this.closeAfterEvents(this.channel.uuid);
  }

  /** The socket app returns when the app closes the socket; nothing follows it: hangup. */
  protected override onSocketClosed(): void {
    this.channel.eslConnected = false;
    this.sw.outbound.delete(this.channel.uuid);
    if (!this.channel.gone && !this.channel.bridgedTo) {
      this.sw.hangup(this.channel, 'NORMAL_CLEARING', 'stand-in');
    }
  }
}

function simpleReply(line: string): string {
  if (/^myevents/i.test(line)) return '+OK Events Enabled';
  if (/^linger/i.test(line)) return '+OK will linger';
  if (/^nolinger/i.test(line)) return '+OK will not linger';
  if (/^divert_events\s+on/i.test(line)) return '+OK events diverted';
  if (/^divert_events/i.test(line)) return '+OK events not diverted';
  return '+OK';
}

/** The reply to `connect`: CHANNEL_DATA serialised plain, then the command/reply headers. */
function channelData(sw: Switch, channel: Channel): string {
  const event = channelEvent(sw, 'CHANNEL_DATA', channel);
  return serializePlain([
    ...event.headers,
    ['Content-Type', 'command/reply'],
    ['Reply-Text', '+OK\n'],
    ['Socket-Mode', 'async'],
    ['Control', 'full'],
  ]);
}

/** Opens the outbound connection; a refused connection hangs the channel up (socket app fails). */
export function connectOutbound(
  sw: Switch,
  host: SessionHost,
  channel: Channel,
  target: string,
): void {
  const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(target.trim());
  if (!m?.[1] || !m[2]) {
    sw.trace.add({ kind: 'note', text: `bad X-esl-outbound '${target}' on ${channel.uuid}` });
    sw.hangup(channel, 'DESTINATION_OUT_OF_ORDER', 'stand-in');
    return;
  }
  channel.vars.set('current_application', 'socket');
  channel.vars.set('current_application_data', `${m[1]}:${m[2]} async full`);
  const socket = connect({ host: m[1], port: Number(m[2]) });
  socket.once('error', () => {
    if (channel.eslConnected) return;
    sw.trace.add({ kind: 'note', text: `outbound socket to ${target} failed for ${channel.uuid}` });
    sw.hangup(channel, 'DESTINATION_OUT_OF_ORDER', 'stand-in');
  });
  socket.once('connect', () => {
    if (channel.gone) {
      socket.destroy();
      return;
    }
    channel.eslConnected = true;
    sw.outbound.set(channel.uuid, new OutboundSession(host, socket, sw, channel));
  });
}
