// `api` commands the gateway and fsmrf issue, answered with mod_commands' texts.
import type { Channel } from './channel.js';
import type { Switch } from './core.js';
import { serializePlain } from './esl-wire.js';
import { channelEvent } from './events.js';
import { recordingPath } from './media.js';
import { startSessionRecording } from './recording.js';

export function runApi(sw: Switch, command: string, args: string, sipAddress: string): string {
  const argv = args.split(/\s+/).filter(Boolean);
  const channel = (uuid: string | undefined): Channel | undefined =>
    uuid ? sw.channels.get(uuid) : undefined;
  switch (command) {
    case 'sofia':
      return argv[0] === 'status'
        ? sofiaStatusCommand(argv.slice(1), sipAddress)
        : '-ERR Unknown command\n';
    case 'status':
      return `UP 0 years, 0 days, 0 hours, 0 minutes\nFreeSWITCH (Version 1.10.12-release) is ready\n${sw.channels.size} session(s)\n`;
    case 'uuid_exists':
      return channel(argv[0]) ? 'true' : 'false';
    case 'uuid_break': {
      const ch = channel(argv[0]);
      if (!argv[0]) return '-USAGE: <uuid> [all]\n';
      if (!ch) return '-ERR No such channel!\n';
      // CF_BREAK: playback and record (switch_ivr_record_file) both end on it, the file closed;
      // a record wedged on a bridged leg does not get there
      if (ch.wedged) return '+OK\n';
      if (ch.running.size === 0) ch.breakPending = true;
      for (const app of [...ch.running]) app.interrupt('break');
      return '+OK\n';
    }
    case 'uuid_bridge': {
      if (argv.length < 2) return '-USAGE: <uuid> <other_uuid>\n';
      const a = channel(argv[0]);
      const b = channel(argv[1]);
      if (!a || !b || !a.answered || !b.answered) return '-ERR Invalid uuid\n';
      sw.bridge(a, b);
      return `+OK ${b.uuid}\n`;
    }
    case 'uuid_set_media_stats':
      return channel(argv[0]) ? '+OK:\n' : `-ERR No such channel ${argv[0] ?? ''}!\n`;
    case 'uuid_dump': {
      const ch = channel(argv[0]);
      if (!ch) return `-ERR No such channel ${argv[0] ?? ''}!\n`;
      return serializePlain(channelEvent(sw, 'CHANNEL_DATA', ch).headers).slice(0, -1);
    }
    case 'uuid_record':
      return uuidRecord(sw, channel(argv[0]), argv);
    case 'uuid_kill': {
      const ch = channel(argv[0]);
      if (!ch) return '-ERR No such channel!\n';
      sw.hangup(ch, argv[1] ?? 'NORMAL_CLEARING', 'app');
      return '+OK\n';
    }
    default:
      return `-ERR ${command} Command not found!\n`;
  }
}

/**
 * `uuid_record <uuid> start|stop <path>`: a media bug like record_session; a start that cannot
 * make the directory or open the file answers `-ERR Cannot record session!` (mod_commands.c:4773).
 */
function uuidRecord(sw: Switch, ch: Channel | undefined, argv: string[]): string {
  const [, action, file] = argv;
  if (!action || !file) return '-USAGE: <uuid> [start|stop|mask|unmask] <path> [<limit>]\n';
  if (!ch) return '-ERR Cannot locate session!\n';
  if (action === 'start') {
    const started = startSessionRecording(sw, ch, 'uuid_record', file);
    if (started === 'hangup')
      setImmediate(() => sw.hangup(ch, 'DESTINATION_OUT_OF_ORDER', 'stand-in'));
    return started === 'started' ? '+OK Success\n' : '-ERR Cannot record session!\n';
  }
  if (action === 'stop') {
    const path = recordingPath(sw.config.media, file);
    return ch.recordings.includes(path) ? '+OK Success\n' : '-ERR Cannot stop record session!\n';
  }
  return '+OK Success\n';
}

const PROFILE = 'drachtio_mrf';
const RULE = '='.repeat(97);

/**
 * `sofia status [profile <name> [reg|user …]]` as mod_sofia.c's cmd_status answers it: the table;
 * one profile's details (only a running profile is found, else `Invalid Profile!`); a name
 * missing is `Invalid Syntax!`. Gateways are not played: there are none.
 */
function sofiaStatusCommand(argv: string[], sipAddress: string): string {
  const [what, name, filter] = argv;
  if (what === undefined) return sofiaStatus(sipAddress);
  if (name === undefined) return 'Invalid Syntax!\n';
  if (what.toLowerCase() === 'gateway') return 'Invalid Gateway!\n';
  if (what.toLowerCase() !== 'profile') return 'Invalid Syntax!\n';
  if (name !== PROFILE) return 'Invalid Profile!\n';
  return sofiaProfileStatus(sipAddress, !/^(reg|user)$/i.test(filter ?? ''));
}

/**
 * One profile's details, field by field as cmd_status writes them (`%-17s\t%s`), as the
 * drachtio/drachtio-freeswitch-mrf image's profile would show them; the call counters stay 0
 * (the stand-in does not count), and there are no registrations. `reg`/`user` print only those.
 */
export function sofiaProfileStatus(sipAddress: string, details = true): string {
  const ip = sipAddress.replace(/:\d+$/, '');
  const url = `sip:mod_sofia@${sipAddress}`;
  const fields: [string, string][] = [
    ['Name', PROFILE],
    ['Domain Name', 'N/A'],
    ['Auto-NAT', 'false'],
    ['DBName', `sofia_reg_${PROFILE}`],
    ['Pres Hosts', `${ip},${ip}`],
    ['Dialplan', 'XML'],
    ['Context', PROFILE],
    ['Challenge Realm', 'auto_from'],
    ['RTP-IP', ip],
    ['SIP-IP', ip],
    ['URL', url],
    ['BIND-URL', `${url};maddr=${ip}`],
    ['HOLD-MUSIC', 'N/A'],
    ['OUTBOUND-PROXY', 'N/A'],
    ['CODECS IN', 'PCMU,PCMA,OPUS,G722'],
    ['CODECS OUT', 'PCMU,PCMA,OPUS,G722'],
    ['TEL-EVENT', '101'],
    ['DTMF-MODE', 'rfc2833'],
    ['CNG', '13'],
    ['SESSION-TO', '0'],
    ['MAX-DIALOG', '0'],
    ['NOMEDIA', 'false'],
    ['LATE-NEG', 'true'],
    ['PROXY-MEDIA', 'false'],
    ['AGGRESSIVENAT', 'false'],
    ['STUN-ENABLED', 'true'],
    ['STUN-AUTO-DISABLE', 'false'],
    ['CALLS-IN', '0'],
    ['FAILED-CALLS-IN', '0'],
    ['CALLS-OUT', '0'],
    ['FAILED-CALLS-OUT', '0'],
  ];
  const head = details
    ? `${RULE}\n${fields.map(([k, v]) => `${k.padEnd(17)}\t${v}\n`).join('')}`
    : '';
  return `${head}\nRegistrations:\n${RULE}\n${RULE}\n`;
}

/** The table FreeSWITCH 1.10.12 prints (tab-separated, right-aligned columns). */
export function sofiaStatus(sipAddress: string): string {
  const rule = RULE;
  const row = [
    'drachtio_mrf'.padStart(25),
    'profile'.padStart(7),
    `sip:mod_sofia@${sipAddress}`.padStart(42),
    'RUNNING (0)',
  ].join('\t');
  const head = ['Name'.padStart(25), 'Type'.padStart(7), 'Data'.padStart(42), 'State'].join('\t');
  return `${head}\n${rule}\n${row}\n${rule}\n1 profile 0 aliases\n`;
}
