/**
 * One TCP conversation with a deadline, for the probes that speak a peer's own protocol
 * (drachtio, the FreeSWITCH event socket): connect, talk until the conversation settles, close.
 * What can go wrong on the way is named, so each check can say what to fix.
 */
import { connect, type Socket } from 'node:net';

export type NetFailure =
  | { kind: 'refused' }
  /** `connect`: no TCP answer (firewall, wrong host); `answer`: connected, the peer stayed silent. */
  | { kind: 'timeout'; stage: 'connect' | 'answer'; ms: number }
  | { kind: 'unreachable'; message: string }
  /** The peer closed the connection before the conversation ended. */
  | { kind: 'closed' };

export const NET_KINDS = new Set(['refused', 'timeout', 'unreachable', 'closed']);

export function isNetFailure(o: { kind: string }): o is NetFailure {
  return NET_KINDS.has(o.kind);
}

/** An errno error of a connection attempt, named. */
export function netFailure(err: unknown): NetFailure {
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'ECONNREFUSED') return { kind: 'refused' };
  if (e.code === 'ECONNRESET' || e.code === 'EPIPE') return { kind: 'closed' };
  return { kind: 'unreachable', message: e.code ?? e.message };
}

export function describeNet(f: NetFailure, where: string): string {
  switch (f.kind) {
    case 'refused':
      return `${where}: connection refused (nothing listens there)`;
    case 'timeout':
      return f.stage === 'connect'
        ? `${where}: no TCP answer within ${f.ms / 1000} s`
        : `${where}: connected, but no answer within ${f.ms / 1000} s`;
    case 'unreachable':
      return `${where}: cannot connect (${f.message})`;
    case 'closed':
      return `${where}: the peer closed the connection`;
  }
}

/**
 * Connects to host:port and hands the socket to `talk`, which writes and reads and calls `settle`
 * with the outcome; the socket is destroyed then, or when the deadline passes (`timeout`), the
 * peer closes first (`closed`) or the connection fails.
 */
export function converse<T>(
  host: string,
  port: number,
  timeoutMs: number,
  talk: (socket: Socket, settle: (outcome: T) => void) => void,
): Promise<T | NetFailure> {
  return new Promise((resolve) => {
    let connected = false;
    let done = false;
    const socket = connect({ host, port });
    const settle = (outcome: T | NetFailure) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(
      () => settle({ kind: 'timeout', stage: connected ? 'answer' : 'connect', ms: timeoutMs }),
      timeoutMs,
    );
    socket.on('error', (err) => settle(connected ? { kind: 'closed' } : netFailure(err)));
    socket.on('close', () => settle({ kind: 'closed' }));
    socket.on('connect', () => {
      connected = true;
      talk(socket, settle);
    });
  });
}
