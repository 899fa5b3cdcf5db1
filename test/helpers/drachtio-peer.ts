/**
 * The drachtio-server a test's apps connect to: the stand-in, or with `TEST_DRACHTIO_BIN=<binary>`
 * a real drachtio-server (bench/drachtio-server.ts starts it) behind a proxy on its application
 * port that records every frame as the stand-in's trace does, and its SIP datagrams read from its
 * own log. The real peers decide: a test that passes on the stand-in is run against the server
 * production runs, and its trace assertions read that server's wire.
 */
import { type StandinHandle, type StandinOptions, start } from '../standin/index.js';
import { Tracer } from '../standin/trace.js';
import { recordingProxy } from './recording-proxy.js';

export const REAL_DRACHTIO_ENV = 'TEST_DRACHTIO_BIN';

/** The tests run against a real drachtio-server: its fixed timers take their real time. */
export function againstRealDrachtio(): boolean {
  return process.env[REAL_DRACHTIO_ENV] !== undefined;
}

/**
 * Session timers in a test that runs on both servers. drachtio-server's Min-SE is a fixed 90 s and
 * each refresh it sends itself is due half an interval after the last, give or take up to 5 s
 * (sip-dialog.cpp `setSessionTimer`), with no setting for either; the stand-in takes a Min-SE of
 * 1 s and no jitter, so that a session lasts 2 s.
 */
export function sessionTimers(): {
  seconds: number;
  minSE: number;
  jitterMs: number;
  standin: Partial<StandinOptions>;
} {
  return againstRealDrachtio()
    ? { seconds: 90, minSE: 90, jitterMs: 5000, standin: {} }
    : { seconds: 2, minSE: 1, jitterMs: 0, standin: { minSE: 1, sessionTimerJitter: 0 } };
}

/** Short SIP timers, so that a test's timeouts come in seconds; a test's own options win. */
const TEST_TIMERS = { t1: 50, t2: 400 };

/**
 * A real server takes the timers and the session timers' default refresher in its
 * configuration, and `adminPort` is where its recording proxy listens (a test that starts a
 * server again where the gateway reconnects); a test that sets anything else of the stand-in's
 * fails there, saying which.
 */
export async function startDrachtio(
  secret: string,
  options: Partial<StandinOptions> = {},
): Promise<StandinHandle> {
  const bin = process.env[REAL_DRACHTIO_ENV];
  const all = { ...TEST_TIMERS, ...options };
  if (!bin) return start({ sipPort: 0, adminPort: 0, secret, ...all });
  const { t1, t2, sessionTimerDefaultRefresher, adminPort, ...rest } = all;
  const unknown = Object.keys(rest);
  if (unknown.length > 0)
    throw new Error(
      `${REAL_DRACHTIO_ENV}: this test sets the stand-in's ${unknown.join(', ')}, which drachtio-server's configuration has no place for`,
    );
  const { drachtioBinary, startDrachtioServer } = await import('../../bench/drachtio-server.js');
  const trace = new Tracer();
  const sipLog = new SipLog(trace);
  const server = await startDrachtioServer(drachtioBinary(bin, REAL_DRACHTIO_ENV) ?? bin, secret, {
    t1,
    t2,
    defaultRefresher: sessionTimerDefaultRefresher,
    sipLog: (chunk) => sipLog.push(chunk),
  });
  const proxy = await recordingProxy(server.adminAddress, trace, adminPort).catch(
    async (err: unknown) => {
      await server.close();
      throw err;
    },
  );
  return {
    trace: trace.records,
    traceTo: (target) => trace.sendTo(target),
    sipAddress: server.sipAddress,
    adminAddress: proxy.address,
    dropApps: proxy.dropApps,
    close: async () => {
      await proxy.close();
      await server.close();
    },
  };
}

/**
 * `recv|send N bytes from|to udp|tcp/[host]:port at …:`, then the N bytes of the message; over
 * TCP the port is always the connection's peer's.
 */
const ENTRY =
  /^\d{4}-\d{2}-\d{2} [\d:.]+ (recv|send) (\d+) bytes (?:from|to) (udp|tcp)\/\[([^\]]+)\]:(\d+) at [^\n]*:\n/m;

/**
 * drachtio-server's log at `info` (bench/drachtio-server.ts `sipLog`), read into the trace's SIP
 * records: sofia's transport log writes each datagram whole after its entry line, its last CRLF
 * as a space and a newline. Read as latin1, so that a character is a byte of the count.
 */
export class SipLog {
  #pending = '';

  constructor(private readonly trace: Tracer) {}

  push(chunk: Buffer): void {
    this.#pending += chunk.toString('latin1');
    for (;;) {
      const m = ENTRY.exec(this.#pending);
      if (!m) {
        // a line still being written may be an entry's
        this.#pending = this.#pending.slice(this.#pending.lastIndexOf('\n') + 1);
        return;
      }
      const start = m.index + m[0].length;
      const end = start + Number(m[2]);
      if (this.#pending.length < end) {
        this.#pending = this.#pending.slice(m.index);
        return;
      }
      const logged = this.#pending.slice(start, end);
      const text = logged.endsWith(' \n') ? `${logged.slice(0, -2)}\r\n` : logged;
      this.trace.sip(
        m[1] === 'recv' ? 'in' : 'out',
        `${m[4]}:${m[5]}`,
        Buffer.from(text, 'latin1').toString('utf8'),
        m[3] === 'tcp' ? 'tcp' : undefined,
      );
      this.#pending = this.#pending.slice(end);
    }
  }
}
