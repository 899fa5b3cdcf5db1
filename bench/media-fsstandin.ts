/**
 * The FreeSWITCH stand-in of `bench/media-cps`, in a Node process of its own (as FreeSWITCH is a
 * process of its own beside the gateway), so it does not share an event loop with the drachtio
 * stand-in in the bench process. Started with `fork` (IPC channel):
 *
 *   node --import tsx bench/media-fsstandin.ts <secret> <whisper file or tone_stream://…> <play ms>
 *     <record dir> [<ESL port> <SIP port>]
 *
 * (the ports: for `bench/faults`, which kills it and starts it again where the gateway knew it)
 *
 * Sends `{ ready: { sip, esl } }` once listening; answers every `{ id }` with `{ id, stats }`.
 * The trace is not kept (thousands of calls would keep hundreds of MB of SIP and ESL text): only
 * the counts below are taken from it. Exits when the parent goes away.
 */
import { start } from '../test/fsstandin/index.js';
import type { FsTraceRecord } from '../test/fsstandin/trace.js';

export interface FsStats {
  /** Live channels right now (0 after a step: every channel released). */
  channels: number;
  created: number;
  destroyed: number;
  bridges: number;
  /** The whisper played to its end / ended otherwise. */
  whispers: number;
  whisperFailures: number;
  pitfalls: number;
  /** CPU time (user + system) of this process so far, µs. */
  cpuUs: number;
}

const [secret = 'ClueCon', whisper = '', playMs = '100', recordDir, eslPort = '0', sipPort = '0'] =
  process.argv.slice(2);
if (!process.send) {
  process.stderr.write('media-fsstandin: start me with fork (needs an IPC channel)\n');
  process.exit(2);
}

const counts = {
  created: 0,
  destroyed: 0,
  bridges: 0,
  whispers: 0,
  whisperFailures: 0,
  pitfalls: 0,
};

function count(r: FsTraceRecord): void {
  switch (r.kind) {
    case 'channel':
      if (r.event === 'created') counts.created++;
      else if (r.event === 'destroyed') counts.destroyed++;
      break;
    case 'bridge':
      counts.bridges++;
      break;
    case 'play':
      if (r.file !== whisper) break;
      if (r.result === 'FILE PLAYED') counts.whispers++;
      else counts.whisperFailures++;
      break;
    case 'pitfall':
      counts.pitfalls++;
      break;
  }
}

const fs = await start({
  sipPort: Number(sipPort),
  eslPort: Number(eslPort),
  secret,
  playMs: Number(playMs),
  // the parent's temp dir, removed with it (the stand-in's own default would stay behind)
  ...(recordDir ? { recordDir } : {}),
  ...(whisper.startsWith('tone_stream://') ? {} : { files: { [whisper]: Number(playMs) } }),
});
// counted as they come, none kept: hundreds of MB at these rates
fs.traceTo(count);

process.on('message', (msg: { id: number }) => {
  const cpu = process.cpuUsage();
  const stats: FsStats = {
    channels: fs.channels().length,
    ...counts,
    cpuUs: cpu.user + cpu.system,
  };
  process.send?.({ id: msg.id, stats });
});
process.on('disconnect', () => {
  fs.close().finally(() => process.exit(0));
});
process.send({ ready: { sip: fs.sipAddress, esl: fs.eslAddress } });
