// Free loopback ports for tests. The kernel picks (port 0) where a single port is needed; sipp's
// media port needs a small block of consecutive free UDP ports (RTP/RTCP, audio and video).
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

const HOST = '127.0.0.1';

export async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, HOST, () => resolve());
  });
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

export async function freeTcpPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, HOST, () => resolve());
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no TCP port');
  return address.port;
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

/** First port of `count` consecutive free UDP ports, from a random spot in 20000-59999. */
export async function freeUdpPortBlock(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20000 + 2 * Math.floor(Math.random() * 20000);
    let ok = true;
    for (let p = base; p < base + count && ok; p++) ok = await udpPortIsFree(p);
    if (ok) return base;
  }
  throw new Error(`no block of ${count} free UDP ports found`);
}
