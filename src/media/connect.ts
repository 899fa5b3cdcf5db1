/**
 * Connects one FreeSWITCH event socket the way drachtio-fsmrf's `Mrf#connect` does, but owning
 * the modesl connection so that it can be stopped: with a wrong secret `Mrf#connect` never
 * settles and modesl keeps reconnecting in the background, for ever. Here the attempt ends after
 * `timeoutMs` and the connection (with its retry timer) is shut down; so does any failure.
 */
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import { lazy } from '../util/lazy-require.js';
import type { FsMediaServer, FsMrf } from './fsmrf-types.js';
import { MRF_PROFILE } from './profile.js';

/** modesl's inbound connection, the part used here. */
interface EslConnection {
  socket: Socket | null;
  closing?: boolean;
  reconnectVars?: { retryTimer?: NodeJS.Timeout | null };
  on(event: string, listener: (...args: unknown[]) => void): this;
  removeListener(event: string, listener: (...args: unknown[]) => void): this;
  removeAllListeners(): this;
}

type EslConnectionCtor = new (
  host: string,
  port: number,
  secret: string,
  onReady: () => void,
) => EslConnection;

type MediaServerCtor = new (
  conn: EslConnection,
  mrf: FsMrf,
  listenAddress: string,
  listenPort: number,
  advertisedAddress: undefined,
  advertisedPort: undefined,
  profile: string,
) => FsMediaServer;

/**
 * drachtio-fsmrf's own modesl and MediaServer, resolved from its location: looked up and loaded
 * with the first media server, as drachtio-fsmrf itself is (fsmrf-types.ts).
 */
const fsmrfParts = lazy(() => {
  const fsmrf = createRequire(createRequire(import.meta.url).resolve('drachtio-fsmrf'));
  return {
    Connection: (fsmrf('drachtio-modesl') as { Connection: EslConnectionCtor }).Connection,
    MediaServer: fsmrf('./mediaserver') as MediaServerCtor,
  };
});

export type ConnectOptions = {
  address: string;
  port: number;
  secret: string;
  listenAddress: string;
  timeoutMs: number;
};

export function connectMediaServer(mrf: FsMrf, o: ConnectOptions): Promise<FsMediaServer> {
  return new Promise((resolve, reject) => {
    let done = false;
    const settle = (err: Error | undefined, ms?: FsMediaServer) => {
      if (done) return void ms?.disconnect();
      done = true;
      clearTimeout(timer);
      if (ms && !err) return resolve(ms);
      stop(conn);
      reject(err);
    };
    const onError = (err: unknown) => settle(err instanceof Error ? err : new Error(String(err)));
    const { Connection, MediaServer } = fsmrfParts();
    const conn = new Connection(o.address, o.port, o.secret, () => {
      conn.removeListener('error', onError);
      const ms = new MediaServer(conn, mrf, o.listenAddress, 0, undefined, undefined, MRF_PROFILE);
      ms.once('ready', () => settle(undefined, ms));
      ms.once('error', (err) => settle(err));
    });
    conn.on('error', onError);
    conn.on('esl::event::raw::text/rude-rejection', () => settle(new Error('refused (acl)')));
    const timer = setTimeout(
      () => settle(new Error(`no answer within ${o.timeoutMs} ms (wrong secret?)`)),
      o.timeoutMs,
    );
  });
}

/** Ends a modesl connection for good: no retry, no socket, no listeners. */
function stop(conn: EslConnection): void {
  conn.closing = true;
  if (conn.reconnectVars?.retryTimer) clearTimeout(conn.reconnectVars.retryTimer);
  conn.removeAllListeners();
  conn.on('error', () => undefined);
  conn.socket?.destroy();
  conn.socket = null;
}
