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
      return args.trim() === 'status' ? sofiaStatus(sipAddress) : '-ERR Unknown command\n';
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

/** The table FreeSWITCH 1.10.12 prints (tab-separated, right-aligned columns). */
export function sofiaStatus(sipAddress: string): string {
  const rule = '='.repeat(97);
  const row = [
    'drachtio_mrf'.padStart(25),
    'profile'.padStart(7),
    `sip:mod_sofia@${sipAddress}`.padStart(42),
    'RUNNING (0)',
  ].join('\t');
  const head = ['Name'.padStart(25), 'Type'.padStart(7), 'Data'.padStart(42), 'State'].join('\t');
  return `${head}\n${rule}\n${row}\n${rule}\n1 profile 0 aliases\n`;
}
