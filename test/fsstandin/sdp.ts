// SDP as FreeSWITCH writes it for an audio-only media server: answers pick the first offered codec
// it supports; its own offers (INVITE without SDP) carry SRTP plus RTP unless SRTP is forbidden.
import { randomBytes } from 'node:crypto';

export type Direction = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

export interface MediaLine {
  proto: string;
  port: number;
  payloads: number[];
  crypto: boolean;
  rtpmap: Map<number, string>;
  direction: Direction;
}

export interface SdpInfo {
  address: string;
  audio: MediaLine[];
}

export function parseSdp(text: string): SdpInfo | undefined {
  if (!/^v=0/m.test(text)) return undefined;
  let address = '';
  const audio: MediaLine[] = [];
  let current: MediaLine | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    const c = /^c=IN IP4 (\S+)/.exec(line);
    if (c?.[1] && (!address || current)) address = address || c[1];
    const m = /^m=(\w+) (\d+) (\S+)((?: \d+)*)/.exec(line);
    if (m) {
      current =
        m[1] === 'audio'
          ? {
              proto: m[3] ?? '',
              port: Number(m[2]),
              payloads: (m[4] ?? '').trim().split(/\s+/).filter(Boolean).map(Number),
              crypto: false,
              rtpmap: new Map(),
              direction: 'sendrecv',
            }
          : undefined;
      if (current) audio.push(current);
      continue;
    }
    if (!current) continue;
    if (line.startsWith('a=crypto:')) current.crypto = true;
    const dir = /^a=(sendrecv|sendonly|recvonly|inactive)$/.exec(line)?.[1];
    if (dir) current.direction = dir as Direction;
    const map = /^a=rtpmap:(\d+) ([^/\s]+)/.exec(line);
    if (map?.[1] && map[2]) current.rtpmap.set(Number(map[1]), map[2].toUpperCase());
  }
  return { address, audio };
}

/** True if the SDP's first usable audio line is SRTP (SDES crypto on RTP/SAVP). */
export function isSrtp(info: SdpInfo): boolean {
  const first = info.audio.find((m) => m.port !== 0);
  return !!first && /SAVP/.test(first.proto) && first.crypto;
}

const STATIC: Readonly<Record<number, string>> = { 0: 'PCMU', 8: 'PCMA', 9: 'G722' };
const SUPPORTED = ['PCMU', 'PCMA', 'G722'];

function codecOf(m: MediaLine, pt: number): string | undefined {
  return m.rtpmap.get(pt) ?? STATIC[pt];
}

export interface LocalMedia {
  ip: string;
  port: number;
  sessionId: number;
  version: number;
}

function header(local: LocalMedia): string[] {
  return [
    'v=0',
    `o=FreeSWITCH ${local.sessionId} ${local.version} IN IP4 ${local.ip}`,
    's=FreeSWITCH',
    `c=IN IP4 ${local.ip}`,
    't=0 0',
  ];
}

function audioLines(local: LocalMedia, proto: string, codecs: [number, string][], dtmf?: number) {
  const pts = codecs.map(([pt]) => pt).concat(dtmf === undefined ? [] : [dtmf]);
  const lines = [`m=audio ${local.port} ${proto} ${pts.join(' ')}`];
  for (const [pt, name] of codecs) lines.push(`a=rtpmap:${pt} ${name}/8000`);
  if (dtmf !== undefined)
    lines.push(`a=rtpmap:${dtmf} telephone-event/8000`, `a=fmtp:${dtmf} 0-16`);
  lines.push('a=ptime:20');
  return lines;
}

/** The answer to an offer, or undefined when no codec matches (FreeSWITCH then answers 488). */
export function buildAnswer(offer: SdpInfo, local: LocalMedia): string | undefined {
  const m = offer.audio.find((a) => a.port !== 0 && a.payloads.some((pt) => supported(a, pt)));
  if (!m) return undefined;
  const pt = m.payloads.find((p) => supported(m, p));
  const name = pt === undefined ? undefined : codecOf(m, pt);
  if (pt === undefined || !name) return undefined;
  const dtmf = m.payloads.find((p) => codecOf(m, p) === 'TELEPHONE-EVENT');
  const lines = [...header(local), ...audioLines(local, m.proto, [[pt, name]], dtmf)];
  if (/SAVP/.test(m.proto) && m.crypto) lines.push(cryptoLine(1, 'AES_CM_128_HMAC_SHA1_80'));
  lines.push(`a=${ANSWER_DIRECTION[m.direction]}`, `a=rtcp:${local.port + 1} IN IP4 ${local.ip}`);
  return `${lines.join('\r\n')}\r\n`;
}

/** RFC 3264 6.1: a held offer (sendonly) is answered recvonly, and so on, as FreeSWITCH does. */
const ANSWER_DIRECTION: Readonly<Record<Direction, Direction>> = {
  sendrecv: 'sendrecv',
  sendonly: 'recvonly',
  recvonly: 'sendonly',
  inactive: 'inactive',
};

function supported(m: MediaLine, pt: number): boolean {
  const name = codecOf(m, pt);
  return !!name && SUPPORTED.includes(name);
}

/** FreeSWITCH's own offer; with SRTP allowed it offers RTP/SAVP with SDES keys plus RTP/AVP. */
export function buildOffer(local: LocalMedia, srtp: boolean): string {
  const codecs: [number, string][] = [
    [0, 'PCMU'],
    [8, 'PCMA'],
  ];
  const lines = header(local);
  if (srtp) {
    lines.push(...audioLines(local, 'RTP/SAVP', codecs, 101));
    lines.push(
      cryptoLine(1, 'AES_CM_256_HMAC_SHA1_80'),
      cryptoLine(2, 'AES_CM_256_HMAC_SHA1_32'),
      cryptoLine(3, 'AES_CM_128_HMAC_SHA1_80'),
      cryptoLine(4, 'AES_CM_128_HMAC_SHA1_32'),
      'a=sendrecv',
      `a=rtcp:${local.port + 1} IN IP4 ${local.ip}`,
    );
  }
  lines.push(...audioLines(local, 'RTP/AVP', codecs, 101));
  lines.push('a=sendrecv', `a=rtcp:${local.port + 1} IN IP4 ${local.ip}`);
  return `${lines.join('\r\n')}\r\n`;
}

function cryptoLine(tag: number, suite: string): string {
  const keyLength = suite.includes('256') ? 46 : 30;
  return `a=crypto:${tag} ${suite} inline:${randomBytes(keyLength).toString('base64')}`;
}
