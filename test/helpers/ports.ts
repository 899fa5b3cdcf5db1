// Free loopback ports for tests. Every port is picked at random from below the kernel's ephemeral
// range and probed: a port the kernel hands out (port 0) comes from the same range as the local
// ports of outgoing connections, so between the probe and the server's bind any process on the
// machine may take it with a connect (a cluster bus port was lost that way in CI). sipp's media
// port needs a small block of consecutive free UDP ports (RTP/RTCP, audio and video).
//
// A probe alone does not keep a port: between it and the bind, a test file running beside this
// one may probe the same port free and take it (a gateway whose HTTP port was taken so exited,
// and its test read /readyz from the other file's gateway on that port). So each test file tap
// runs at the same time (TAP_JOB_ID) picks from a slice of its own, and within one process a
// port handed out is not handed out again for a minute, bound or not yet.
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

const HOST = '127.0.0.1';
/** Single ports come from here; blocks from SINGLE_END up to the ephemeral range. */
const SINGLE_START = 10000;
const SINGLE_END = 20000;
/** Slices of each range: more than the test files tap runs at once ("jobs" in package.json). */
const SLICES = 4;
const SLICE = Number(process.env.TAP_JOB_ID ?? 0) % SLICES || 0;
/** How long a port handed out by this process is not handed out again. */
const HANDED_MS = 60_000;
const handed = new Map<number, number>();

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

/** The first of `span` ports at random, all in this process's slice of [from, to). */
function pick(from: number, to: number, span = 1): number {
  const width = Math.floor((to - from) / SLICES);
  return from + SLICE * width + Math.floor(Math.random() * (width - span + 1));
}

/** True if this process handed out the port within the last HANDED_MS. */
function handedLately(port: number): boolean {
  const at = handed.get(port);
  if (at === undefined) return false;
  if (Date.now() - at <= HANDED_MS) return true;
  handed.delete(port);
  return false;
}

function hand(first: number, count = 1): number {
  for (let p = first; p < first + count; p++) handed.set(p, Date.now());
  return first;
}

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
    if (FETCH_BLOCKED.has(port) || handedLately(port)) continue;
    if (await isFree(port)) return hand(port);
  }
  throw new Error(`no free ${kind} port found in slice ${SLICE} of ${SINGLE_START}-${end - 1}`);
}

export const freeTcpPort = () => freePort(tcpPortIsFree, 'TCP');
export const freeUdpPort = () => freePort(udpPortIsFree, 'UDP');
/** A SIP port of the drachtio stand-in or drachtio-server: free for UDP and TCP alike. */
export const freeSipPort = () =>
  freePort(async (port) => (await udpPortIsFree(port)) && (await tcpPortIsFree(port)), 'SIP');

/** First port of `count` consecutive free UDP ports (an even one), below the ephemeral range. */
export async function freeUdpPortBlock(count: number): Promise<number> {
  const end = Math.max(EPHEMERAL_START - count, SINGLE_END + 2);
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 2 * Math.floor(pick(SINGLE_END, end, count + 1) / 2);
    let ok = true;
    for (let p = base; p < base + count && ok; p++)
      ok = !handedLately(p) && (await udpPortIsFree(p));
    if (ok) return hand(base, count);
  }
  throw new Error(`no block of ${count} free UDP ports found from ${SINGLE_END}`);
}
