/**
 * A TCP proxy on the application port of a drachtio-server that hands the app a run of the
 * server's frames in one write, as a gateway whose event loop was busy finds them: a kernel buffer
 * that filled while nobody read it. drachtio-srf then dispatches every frame of that read before
 * any promise it resolved on the way goes on (wire-protocol.js `_onData` loops synchronously).
 * Only timing changes; the frames are the server's own, so the proxy works in front of the
 * stand-in and of a real drachtio-server alike. Torn down with `t`.
 */
import { connect, createServer, type Socket } from 'node:net';
import type { Test } from 'tap';
import { encodeFrame, FrameDecoder } from '../standin/framing.js';
import { type AppFrame, parseAppFrame } from '../standin/wire.js';
import { listenForTest } from './loopback-server.js';
import { tieSockets } from './socket-pair.js';

export type LateRead = {
  /** The frame from which the app's reads stop. */
  from: (frame: AppFrame) => boolean;
  /** The frame that ends the gap: it and everything held reach the app in one write. */
  until: (frame: AppFrame) => boolean;
};

export type LateReaderProxy = {
  port: number;
  /** Resolves when a gap has been handed over, with the number of frames in that write. */
  delivered: Promise<number>;
};

export async function lateReaderProxy(
  t: Test,
  upstream: number,
  gap: LateRead,
): Promise<LateReaderProxy> {
  const sockets = new Set<Socket>();
  let deliver: (frames: number) => void = () => undefined;
  const delivered = new Promise<number>((resolve) => {
    deliver = resolve;
  });
  let done = false;
  const proxy = createServer((app) => {
    const server = connect(upstream, '127.0.0.1');
    tieSockets(app, server, sockets);
    app.pipe(server);
    // the server's own frames have no length limit (framing.ts)
    const decoder = new FrameDecoder(Number.POSITIVE_INFINITY);
    let held: Buffer[] | undefined;
    server.on('data', (chunk: Buffer) => {
      for (const frame of decoder.push(chunk)) {
        const bytes = encodeFrame(frame);
        if (held) {
          held.push(bytes);
          if (!gap.until(parseAppFrame(frame))) continue;
          app.write(Buffer.concat(held));
          deliver(held.length);
          held = undefined;
          continue;
        }
        if (!done && gap.from(parseAppFrame(frame))) {
          done = true;
          held = [bytes];
          continue;
        }
        app.write(bytes);
      }
    });
  });
  const port = await listenForTest(t, proxy, sockets);
  return { port, delivered };
}
