/**
 * A TCP proxy in front of a real drachtio-server's application port that records each frame as
 * the stand-in's trace does: the tests' `TEST_DRACHTIO_BIN` (drachtio-peer.ts), and the benches
 * that count the calls handed to a gateway on a real server, which keeps no trace of its own.
 */
import { connect, createServer, type Socket } from 'node:net';
import { FrameDecoder } from '../standin/framing.js';
import type { Endpoint } from '../standin/index.js';
import { type TraceRecord, Tracer } from '../standin/trace.js';
import { tieSockets } from './socket-pair.js';

/** The server's own frames have no length limit (an app's have five digits): more than any. */
const SERVER_LENGTH_DIGITS = 15;

export type RecordingProxy = {
  address: Endpoint;
  dropApps(): void;
  close(): Promise<void>;
};

/**
 * A TCP proxy that numbers app connections from 1 as the stand-in does and records each frame,
 * `in` from the app and `out` to it. What it cannot split into frames is noted, and passed on.
 */
export async function recordingProxy(
  upstream: Endpoint,
  trace: Tracer,
  port = 0,
): Promise<RecordingProxy> {
  /** Both sides of every connection while open: a side that closes takes the other along. */
  const open = new Set<Socket>();
  let next = 1;
  const record = (conn: number, dir: 'in' | 'out', from: Socket, to: Socket) => {
    const decoder = new FrameDecoder(dir === 'out' ? SERVER_LENGTH_DIGITS : undefined);
    let broken = false;
    // piped: a side that reads slowly holds the other back (a bench's load), as without the proxy
    from.pipe(to);
    from.on('data', (chunk: Buffer) => {
      if (broken) return;
      try {
        for (const payload of decoder.push(chunk)) trace.frame(dir, conn, payload);
      } catch (err) {
        broken = true;
        trace.note(
          `connection ${conn} ${dir}: ${(err as Error).message}; frames no longer recorded`,
        );
      }
    });
  };
  const server = createServer((app) => {
    const conn = next++;
    const drachtio = connect(upstream.port, upstream.address);
    tieSockets(app, drachtio, open);
    app.setNoDelay(true);
    drachtio.setNoDelay(true);
    record(conn, 'in', app, drachtio);
    record(conn, 'out', drachtio, app);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    address: { address: '127.0.0.1', port: (server.address() as { port: number }).port },
    dropApps: () => {
      for (const s of open) s.resetAndDestroy();
    },
    close: () => {
      for (const s of open) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** A proxy whose frames go to `observe` alone (a bench's probe): nothing is kept. */
export function observingProxy(
  upstream: Endpoint,
  observe: (record: TraceRecord) => void,
): Promise<RecordingProxy> {
  const trace = new Tracer();
  trace.sendTo(observe);
  return recordingProxy(upstream, trace);
}
