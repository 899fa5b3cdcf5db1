/**
 * A TCP proxy in front of a loopback port that takes connections at once and passes nothing
 * until `release()`: a peer whose connection is made but not yet answered (a Redis still
 * starting, a slow link), for what a client does before it is ready. Torn down with `t`.
 */
import { connect, createServer, type Socket } from 'node:net';
import type { Test } from 'tap';
import { listenForTest } from './loopback-server.js';

export type HeldProxy = {
  port: number;
  /** Resolves at the first connection the proxy takes. */
  firstConnection: Promise<void>;
  /** From now on every connection, held or new, goes through to the upstream port. */
  release(): void;
};

export async function heldProxy(t: Test, upstream: number): Promise<HeldProxy> {
  const sockets = new Set<Socket>();
  const held: Socket[] = [];
  let released = false;
  let first: () => void = () => undefined;
  const firstConnection = new Promise<void>((resolve) => {
    first = resolve;
  });
  const through = (client: Socket) => {
    const server = connect(upstream, '127.0.0.1');
    sockets.add(server);
    client.pipe(server).pipe(client);
    server.on('error', () => client.destroy());
    server.on('close', () => client.destroy());
  };
  const proxy = createServer((client) => {
    sockets.add(client);
    client.on('error', () => undefined);
    client.on('close', () => sockets.delete(client));
    first();
    if (released) through(client);
    else held.push(client);
  });
  const port = await listenForTest(t, proxy, sockets);
  return {
    port,
    firstConnection,
    release() {
      released = true;
      for (const client of held.splice(0)) if (!client.destroyed) through(client);
    },
  };
}
