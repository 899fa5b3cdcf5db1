// Event headers in the shape FreeSWITCH 1.10 fires them: the core block, the channel block
// (state, caller profile, then every channel variable as `variable_*`), then event specifics.
import type { Channel } from './channel.js';
import type { EventHeaders } from './esl-wire.js';

export interface CoreInfo {
  coreUuid: string;
  hostname: string;
  ipv4: string;
  nextSequence(): number;
}

export interface FsEvent {
  name: string;
  subclass?: string;
  headers: EventHeaders;
  body?: string;
}

export const FS_VERSION = '1.10.12-release~64bit';

export function coreHeaders(core: CoreInfo, name: string): [string, string][] {
  const now = new Date();
  const local = now.toISOString().replace('T', ' ').slice(0, 19);
  return [
    ['Event-Name', name],
    ['Core-UUID', core.coreUuid],
    ['FreeSWITCH-Hostname', core.hostname],
    ['FreeSWITCH-Switchname', core.hostname],
    ['FreeSWITCH-IPv4', core.ipv4],
    ['FreeSWITCH-IPv6', '::1'],
    ['Event-Date-Local', local],
    ['Event-Date-GMT', now.toUTCString()],
    ['Event-Date-Timestamp', String(now.getTime() * 1000)],
    ['Event-Calling-File', 'switch_core_session.c'],
    ['Event-Calling-Function', 'switch_core_session_exec'],
    ['Event-Calling-Line-Number', '2967'],
    ['Event-Sequence', String(core.nextSequence())],
  ];
}

export function channelHeaders(channel: Channel): [string, string][] {
  const state = channel.gone ? 'CS_HANGUP' : 'CS_EXECUTE';
  const callState = channel.gone ? 'HANGUP' : channel.answered ? 'ACTIVE' : 'EARLY';
  const name = channel.vars.get('channel_name') ?? '';
  const headers: [string, string][] = [
    ['Channel-State', state],
    ['Channel-Call-State', callState],
    ['Channel-State-Number', channel.gone ? '10' : '4'],
    ['Channel-Name', name],
    ['Unique-ID', channel.uuid],
    ['Call-Direction', 'inbound'],
    ['Presence-Call-Direction', 'inbound'],
    ['Channel-HIT-Dialplan', 'true'],
    ['Channel-Call-UUID', channel.uuid],
    ['Answer-State', channel.gone ? 'hangup' : channel.answered ? 'answered' : 'early'],
    ['Channel-Read-Codec-Name', 'PCMU'],
    ['Channel-Read-Codec-Rate', '8000'],
    ['Channel-Write-Codec-Name', 'PCMU'],
    ['Channel-Write-Codec-Rate', '8000'],
    ['Caller-Direction', 'inbound'],
    ['Caller-Logical-Direction', 'inbound'],
    ['Caller-Username', 'drachtio'],
    ['Caller-Dialplan', 'XML'],
    ['Caller-Caller-ID-Name', 'drachtio'],
    ['Caller-Caller-ID-Number', 'drachtio'],
    ['Caller-Network-Addr', channel.vars.get('sip_network_ip') ?? ''],
    ['Caller-Destination-Number', 'drachtio'],
    ['Caller-Unique-ID', channel.uuid],
    ['Caller-Source', 'mod_sofia'],
    ['Caller-Context', 'default'],
    ['Caller-Channel-Name', name],
    ['Caller-Profile-Index', '1'],
    ['Channel-Unique-ID', channel.uuid],
  ];
  for (const [k, v] of channel.vars) headers.push([`variable_${k}`, v]);
  return headers;
}

export function channelEvent(
  core: CoreInfo,
  name: string,
  channel: Channel,
  extra: [string, string][] = [],
): FsEvent {
  return { name, headers: [...coreHeaders(core, name), ...channelHeaders(channel), ...extra] };
}
