// The gateway with media: a FreeSWITCH stand-in beside the drachtio stand-in, passed to the
// gateway through FREESWITCH, and the questions the media tests ask of both traces.
import type { Test } from 'tap';
import { type FsStandinHandle, type FsStandinOptions, start } from '../fsstandin/index.js';
import type { FsTraceRecord } from '../fsstandin/trace.js';
import { CUSTOMERS, type Dest, numbersYaml } from './call-bed.js';
import { type Gateway, startGateway } from './gateway.js';
import type { SippResult } from './sipp.js';
import { waitFor } from './wait.js';

export const FS_SECRET = 'ClueCon-e2e';
export const WHISPER = 'whisper/mobile-de.wav';

export type MediaGateway = Gateway & { fs: FsStandinHandle };

/** Number options with the whisper and a recording announced by `noticeFile`. */
export function whisperAndRecording(noticeFile: string): string[] {
  return [
    'options:',
    '  whisper:',
    `    file: ${WHISPER}`,
    '  recording:',
    '    enabled: true',
    '    retentionDays: 30',
    `    noticeFile: ${noticeFile}`,
  ];
}

/** A tracking number with a whisper (so it needs media, or other options) forwarding to the given dealers. */
export async function startMediaGateway(
  t: Test,
  dests: Dest[],
  fsOptions: Partial<FsStandinOptions> = {},
  options: string[] = ['options:', '  whisper:', `    file: ${WHISPER}`],
  env: Record<string, string> = {},
  peer: Parameters<typeof startGateway>[3] = {},
): Promise<MediaGateway> {
  const fs = await start({
    sipPort: 0,
    eslPort: 0,
    secret: FS_SECRET,
    files: { [WHISPER]: 200 },
    ...fsOptions,
  });
  t.teardown(() => fs.close());
  const gw = await startGateway(
    t,
    { 'customers.yaml': CUSTOMERS, 'numbers.yaml': numbersYaml(dests, options) },
    { FREESWITCH: `${fs.eslAddress.address}:${fs.eslAddress.port}:${FS_SECRET}`, ...env },
    peer,
  );
  return { ...gw, fs };
}

export function callIdOf(r: SippResult, method = 'INVITE'): string {
  const m = r.messages.find((x) => x.firstLine.startsWith(`${method} `));
  return /^Call-ID:\s*(.*)$/im.exec(m?.text ?? '')?.[1]?.trim() ?? '';
}

/** First lines of the SIP the drachtio stand-in exchanged within one call (by Call-ID), in order. */
export function sipOfCall(gw: Gateway, callId: string): string[] {
  return gw.standin.trace
    .filter((r) => r.kind === 'sip' && r.callId === callId)
    .map((r) => (r.kind === 'sip' ? `${r.dir} ${r.firstLine}` : ''));
}

/** The FreeSWITCH channel (Call-ID of its SIP leg) whose INVITE carried this SDP origin. */
export function fsLegCallId(fs: FsStandinHandle, origin: RegExp): string | undefined {
  const invite = fs.trace.find(
    (r) =>
      r.kind === 'sip' &&
      r.dir === 'in' &&
      r.firstLine.startsWith('INVITE ') &&
      origin.test(r.text),
  );
  return invite?.kind === 'sip' ? /^Call-ID:\s*(.*)$/im.exec(invite.text)?.[1]?.trim() : undefined;
}

export function plays(fs: FsStandinHandle): Extract<FsTraceRecord, { kind: 'play' }>[] {
  return fs.trace.filter((r): r is Extract<FsTraceRecord, { kind: 'play' }> => r.kind === 'play');
}

export function traceIndex(fs: FsStandinHandle, kind: FsTraceRecord['kind']): number {
  return fs.trace.findIndex((r) => r.kind === kind);
}

/** Every FreeSWITCH channel of the call released, and no pitfall flagged on any of them. */
export async function released(t: Test, gw: MediaGateway): Promise<void> {
  await waitFor(() => gw.fs.channels().length === 0, 5000, 'every channel released').catch(
    () => undefined,
  );
  t.same(gw.fs.channels(), [], 'every FreeSWITCH channel is released');
  t.same(
    gw.fs.trace.filter((r) => r.kind === 'pitfall'),
    [],
    'no pitfall (SRTP self-negotiation, record or playback on a bridged leg)',
  );
}
