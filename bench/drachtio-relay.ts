/**
 * A relay in front of a real drachtio-server's application port, for `bench/faults` on that
 * server (`BENCH_DRACHTIO_BIN`). The faults bench owes a record for each call handed to a
 * gateway; the stand-in keeps a trace of every frame it hands to which connection, drachtio-server
 * keeps none. The relay passes the bytes unchanged both ways and reports each frame as the
 * stand-in's trace would hold it (`out`: server to app), so bench/faults-calls.ts counts calls
 * handed, and the calls a killed gateway never acted on, the same way on both.
 *
 * A side that closes takes the other with it at once: a gateway that dies drops its connection
 * to the server as it would without the relay, and a server that restarts drops every app, which
 * then reconnects (through the relay, to the server once it listens again).
 */
import { connect, createServer, type Socket } from 'node:net';
import { tieSockets } from '../test/helpers/socket-pair.js';
import { FrameDecoder } from '../test/standin/framing.js';
import type { Endpoint, TraceRecord } from '../test/standin/index.js';

export type AppRelay = {
  /** Where gateways connect (DRACHTIO_HOST/PORT) in place of the server's application port. */
  address: Endpoint;
  /** Every frame, by app connection; a probe takes its `push` (faults-calls.ts). */
  trace: TraceRecord[];
  close(): Promise<void>;
};

export async function relayApps(upstream: Endpoint): Promise<AppRelay> {
  const trace: TraceRecord[] = [];
  const sockets = new Set<Socket>();
  let conns = 0;
  const report = (dir: 'in' | 'out', conn: number) => {
    // the server's frames have no length limit, an app's at most five digits (framing.ts)
    const decoder = new FrameDecoder(dir === 'out' ? Number.POSITIVE_INFINITY : undefined);
    let broken = false;
    return (chunk: Buffer) => {
      if (broken) return;
      const ts = new Date().toISOString();
      try {
        for (const payload of decoder.push(chunk))
          trace.push({ kind: 'frame', dir, conn, payload, ts });
      } catch (err) {
        // the bytes still pass: the server judges them, as without the relay; only the count
        // of this connection stops, and the note says so
        broken = true;
        const why = err instanceof Error ? err.message : String(err);
        trace.push({ kind: 'note', text: `connection ${conn} ${dir}: not framed (${why})`, ts });
      }
    };
  };
  const relay = createServer((app) => {
    const conn = ++conns;
    const server = connect(upstream.port, upstream.address);
    tieSockets(app, server, sockets);
    app.on('data', report('in', conn));
    server.on('data', report('out', conn));
    app.pipe(server);
    server.pipe(app);
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  const bound = relay.address();
  if (bound === null || typeof bound === 'string') throw new Error('relay has no TCP port');
  return {
    address: { address: '127.0.0.1', port: bound.port },
    trace,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => relay.close(resolve));
    },
  };
}
