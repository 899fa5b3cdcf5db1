// The inbound event socket (fsmrf's `Mrf#connect`): auth/request, `auth <secret>`, then commands.
// A wrong secret gets `-ERR invalid`, the disconnect notice, and the socket closes.
import { createServer, type Server, type Socket } from 'node:net';
import type { Switch } from './core.js';
import { EslSession, type SessionHost } from './esl-session.js';
import type { EslCommand } from './esl-wire.js';
import { lookup } from './esl-wire.js';

class InboundSession extends EslSession {
  private authed = false;

  constructor(
    host: SessionHost,
    socket: Socket,
    private readonly secret: string,
  ) {
    super(host, socket, 'inbound');
    this.write('Content-Type: auth/request\n\n');
  }

  protected handle(command: EslCommand): void {
    const line = command.line.trim();
    if (!this.authed) {
      if (!/^auth\s/i.test(line)) {
        this.reply('-ERR command not found');
        return;
      }
      if (line.slice(5).trim() === this.secret) {
        this.authed = true;
        this.reply('+OK accepted');
      } else {
        this.reply('-ERR invalid');
        this.closeAfterEvents();
      }
      return;
    }
    if (this.common(command)) return;
    if (/^sendmsg\b/i.test(line)) {
      const uuid = line.slice(7).trim() || lookup(command.headers, 'session-id') || '';
      this.reply(this.host.sendmsg(this, uuid, command));
      return;
    }
    this.reply('-ERR command not found');
  }
}

export interface InboundServer {
  address: { address: string; port: number };
  close(): Promise<void>;
}

export async function listenInbound(
  sw: Switch,
  host: SessionHost,
  port: number,
  heartbeatMs: number,
): Promise<InboundServer> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    new InboundSession(host, socket, sw.config.secret);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, sw.config.host, () => resolve());
  });
  const started = Date.now();
  const heartbeat = setInterval(
    () => sw.fire(heartbeatEvent(sw, started, heartbeatMs)),
    heartbeatMs,
  );
  heartbeat.unref();
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('no inbound address');
  return {
    address: { address: addr.address, port: addr.port },
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(heartbeat);
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function heartbeatEvent(sw: Switch, started: number, intervalMs: number) {
  const uptime = Date.now() - started;
  const headers: [string, string][] = [
    ['Event-Name', 'HEARTBEAT'],
    ['Core-UUID', sw.coreUuid],
    ['FreeSWITCH-Hostname', sw.hostname],
    ['FreeSWITCH-Switchname', sw.hostname],
    ['FreeSWITCH-IPv4', sw.ipv4],
    ['FreeSWITCH-IPv6', '::1'],
    ['Event-Date-Timestamp', String(Date.now() * 1000)],
    ['Event-Sequence', String(sw.nextSequence())],
    ['Event-Info', 'System Ready'],
    ['FreeSWITCH-Version', '1.10.12-release~64bit'],
    ['Uptime-msec', String(uptime)],
    ['Session-Count', String(sw.channels.size)],
    ['Max-Sessions', '1000'],
    ['Session-Per-Sec', '0'],
    ['Session-Per-Sec-Last', '0'],
    ['Session-Per-Sec-Max', '0'],
    ['Session-Since-Startup', '0'],
    ['Idle-CPU', '98.000000'],
    ['Heartbeat-Interval', String(Math.round(intervalMs / 1000))],
  ];
  return { name: 'HEARTBEAT', headers };
}
