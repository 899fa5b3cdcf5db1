/**
 * Sends hostile datagrams to a SIP address, each from its own UDP socket, so every response can
 * be told apart by the socket it came back to (the stand-in, like sofia with rport, answers the
 * source address). Collects what each socket got back.
 */
import { createSocket, type Socket } from 'node:dgram';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Sent {
  name: string;
  /** First lines of every datagram that came back. */
  replies: string[];
}

export interface TortureMessage {
  name: string;
  kind: 'valid' | 'invalid';
  data: Buffer;
}

const TORTURE_DIR = join(import.meta.dirname, '..', 'fixtures', 'sip-torture');

/** RFC 4475 section 3.1 messages; the files keep LF line ends, the wire gets CRLF. */
export function tortureMessages(): TortureMessage[] {
  return (['valid', 'invalid'] as const).flatMap((kind) =>
    readdirSync(join(TORTURE_DIR, kind))
      .filter((f) => f.endsWith('.sip'))
      .sort()
      .map((f) => ({
        name: f.replace(/\.sip$/, ''),
        kind,
        data: crlf(readFileSync(join(TORTURE_DIR, kind, f))),
      })),
  );
}

/** Bare LF becomes CRLF; bytes that are not line ends stay as they are (binary parts too). */
function crlf(data: Buffer): Buffer {
  const out: number[] = [];
  for (let i = 0; i < data.length; i++) {
    const byte = data[i] ?? 0;
    if (byte === 0x0a && data[i - 1] !== 0x0d) out.push(0x0d);
    out.push(byte);
  }
  return Buffer.from(out);
}

export async function openSocket(): Promise<Socket> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  return socket;
}

/**
 * Sends each datagram from its own socket (a few ms apart) to `to`, then waits until `settled`
 * says the replies are complete or `maxMs` passes, then `quietMs` more for late datagrams.
 */
export async function sendAll(
  items: { name: string; data: Buffer; socket: Socket }[],
  to: { address: string; port: number },
  settled: (sent: Sent[]) => boolean,
  maxMs = 8000,
  quietMs = 400,
): Promise<Sent[]> {
  const sent: Sent[] = items.map(({ name, socket }) => {
    const record: Sent = { name, replies: [] };
    socket.on('message', (d) => record.replies.push(d.toString('latin1').split('\r\n')[0] ?? ''));
    return record;
  });
  for (const { data, socket } of items) {
    socket.send(data, to.port, to.address);
    await new Promise((r) => setTimeout(r, 3));
  }
  const deadline = Date.now() + maxMs;
  while (!settled(sent) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, quietMs));
  for (const { socket } of items) socket.close();
  return sent;
}

/** Status of the first final (>= 200) response, if any. */
export function finalStatus(replies: readonly string[]): number | undefined {
  for (const line of replies) {
    const m = /^SIP\/2\.0 (\d{3})/.exec(line);
    if (m && Number(m[1]) >= 200) return Number(m[1]);
  }
  return undefined;
}
