// Free loopback ports for tests. Every port is picked at random from below the kernel's ephemeral
// range and probed: a port the kernel hands out (port 0) comes from the same range as the local
// ports of outgoing connections, so between the probe and the server's bind any process on the
// machine may take it with a connect (a cluster bus port was lost that way in CI). sipp's media
// port needs a small block of consecutive free UDP ports (RTP/RTCP, audio and video).
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

const HOST = '127.0.0.1';
/** Single ports come from here; blocks from SINGLE_END up to the ephemeral range. */
const SINGLE_START = 10000;
const SINGLE_END = 20000;

/** First port of the kernel's ephemeral range (32768 when it cannot be read). */
function ephemeralStart(): number {
  try {
    const low = Number(
      readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').split(/\s+/)[0],
    );
    return Number.isInteger(low) && low > 0 ? low : 32768;
  } catch {
    return 32768;
  }
}

const EPHEMERAL_START = ephemeralStart();

/** Random integer in [from, to). */
const pick = (from: number, to: number) => from + Math.floor(Math.random() * (to - from));

/** Resolves true if the TCP port can be listened on right now (and releases it again). */
export async function tcpPortIsFree(port: number): Promise<boolean> {
  const server = createServer();
  const free = await new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, HOST, () => resolve(true));
  });
  if (free) await new Promise<void>((resolve) => server.close(() => resolve()));
  return free;
}

/** Resolves true if the UDP port can be bound right now (and releases it again). */
export async function udpPortIsFree(port: number): Promise<boolean> {
  const socket = createSocket('udp4');
  const free = await new Promise<boolean>((resolve) => {
    socket.once('error', () => resolve(false));
    socket.bind(port, HOST, () => resolve(true));
  });
  await new Promise<void>((resolve) => {
    try {
      socket.close(() => resolve());
    } catch {
      resolve();
    }
  });
  return free;
}

/**
 * The Fetch standard's "bad ports" in the single range: Node's fetch refuses them, so an HTTP
 * server there is out of a test's reach (a gateway on 10080 never answered /readyz in CI).
 */
const FETCH_BLOCKED = new Set([10080]);

async function freePort(isFree: (port: number) => Promise<boolean>, kind: string) {
  const end = Math.min(SINGLE_END, EPHEMERAL_START);
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = pick(SINGLE_START, end);
    if (FETCH_BLOCKED.has(port)) continue;
    if (await isFree(port)) return port;
  }
  throw new Error(`no free ${kind} port found in ${SINGLE_START}-${end - 1}`);
}

export const freeTcpPort = () => freePort(tcpPortIsFree, 'TCP');
export const freeUdpPort = () => freePort(udpPortIsFree, 'UDP');

/** First port of `count` consecutive free UDP ports (an even one), below the ephemeral range. */
export async function freeUdpPortBlock(count: number): Promise<number> {
  const end = Math.max(EPHEMERAL_START - count, SINGLE_END + 2);
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 2 * Math.floor(pick(SINGLE_END, end) / 2);
    let ok = true;
    for (let p = base; p < base + count && ok; p++) ok = await udpPortIsFree(p);
    if (ok) return base;
  }
  throw new Error(`no block of ${count} free UDP ports found from ${SINGLE_END}`);
}
