// What every event-socket connection shares, inbound or outbound: the byte-stream reader, event
// subscriptions and filters, the commands that are the same on both (event, filter, api, exit),
// and ordered delivery: replies are written at once, events and the final disconnect notice are
// queued behind them, so a command's reply always precedes the events it caused.
import type { Socket } from 'node:net';
import {
  apiResponse,
  commandReply,
  disconnectNotice,
  type EslCommand,
  EslReader,
  eventJson,
  serializePlain,
} from './esl-wire.js';
import type { FsEvent } from './events.js';
import type { FsTracer } from './trace.js';

export interface SessionHost {
  trace: FsTracer;
  /** Runs an api command; returns the response body (events it fires are queued behind it). */
  api(command: string, args: string): string;
  sendmsg(session: EslSession, uuid: string, command: EslCommand): string;
  register(session: EslSession): void;
  unregister(session: EslSession): void;
}

type Outgoing = string | { close: true };

let counter = 0;

export abstract class EslSession {
  readonly id: string;
  private readonly reader = new EslReader();
  private readonly events = new Set<string>();
  private readonly customs = new Set<string>();
  private all = false;
  private format: 'plain' | 'json' | 'xml' = 'plain';
  private readonly filters: [string, string][] = [];
  private readonly queue: Outgoing[] = [];
  private flushing = false;
  protected closed = false;

  constructor(
    protected readonly host: SessionHost,
    protected readonly socket: Socket,
    prefix: string,
  ) {
    this.id = `${prefix}-${++counter}`;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      for (const command of this.reader.push(chunk)) {
        if (this.closed) return;
        this.host.trace.add({
          kind: 'esl',
          dir: 'in',
          conn: this.id,
          text: renderCommand(command),
        });
        this.handle(command);
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closed = true;
      this.host.unregister(this);
      this.onSocketClosed();
    });
    host.register(this);
  }

  protected abstract handle(command: EslCommand): void;
  protected onSocketClosed(): void {}

  /** Writes at once (replies). */
  protected write(text: string): void {
    if (this.closed || this.socket.destroyed) return;
    this.host.trace.add({ kind: 'esl', dir: 'out', conn: this.id, text });
    this.socket.write(text);
  }

  protected reply(text: string): void {
    this.write(commandReply(text));
  }

  /** Offers a fired event; delivered if subscribed and passing the filters. */
  offer(event: FsEvent): void {
    if (this.closed || !this.wants(event)) return;
    const text =
      this.format === 'json'
        ? eventJson(event.headers, event.body)
        : plainEvent(serializePlain(event.headers), event.body);
    this.enqueue(text);
  }

  /** Drops the connection at once (stand-in shutdown). */
  kill(): void {
    this.closed = true;
    this.socket.destroy();
  }

  /** Sends the disconnect notice and closes, after every event queued so far. */
  closeAfterEvents(sessionUuid?: string): void {
    this.enqueue(disconnectNotice(sessionUuid));
    this.enqueue({ close: true });
  }

  private enqueue(item: Outgoing): void {
    this.queue.push(item);
    if (this.flushing) return;
    this.flushing = true;
    setImmediate(() => {
      this.flushing = false;
      for (const next of this.queue.splice(0)) {
        if (typeof next === 'string') this.write(next);
        else {
          this.closed = true;
          this.socket.end();
        }
      }
    });
  }

  private wants(event: FsEvent): boolean {
    const subscribed =
      this.all ||
      this.events.has(event.name) ||
      (event.name === 'CUSTOM' && !!event.subclass && this.customs.has(event.subclass));
    if (!subscribed) return false;
    if (this.filters.length === 0) return true;
    return this.filters.some(([name, value]) =>
      event.headers.some(([k, v]) => k.toLowerCase() === name.toLowerCase() && v === value),
    );
  }

  /** Commands both kinds of socket answer alike; false if not one of them. */
  protected common(command: EslCommand): boolean {
    const line = command.line.trim();
    const word = line.split(/\s+/)[0]?.toLowerCase() ?? '';
    if (word === 'api') {
      const rest = line.slice(4).trim();
      const space = rest.indexOf(' ');
      const name = space < 0 ? rest : rest.slice(0, space);
      const args = space < 0 ? '' : rest.slice(space + 1).trim();
      this.write(apiResponse(this.host.api(name, args)));
      return true;
    }
    if (word === 'event') this.reply(this.subscribe(line));
    else if (word === 'filter') this.reply(this.filter(line.slice(6).trim()));
    else if (word === 'noevents') {
      this.events.clear();
      this.customs.clear();
      this.all = false;
      this.reply('+OK no longer listening for events');
    } else if (word === 'exit') {
      this.reply('+OK bye');
      this.closeAfterEvents(this.sessionUuid());
    } else return false;
    return true;
  }

  protected sessionUuid(): string | undefined {
    return undefined;
  }

  /** `event [plain|json|xml] NAME … [CUSTOM sub …]`; unknown names are ignored as FreeSWITCH does. */
  private subscribe(line: string): string {
    const words = line.split(/\s+/).slice(1);
    const first = words[0]?.toLowerCase();
    if (first === 'plain' || first === 'json' || first === 'xml') {
      this.format = first;
      words.shift();
    }
    let keys = 0;
    let custom = false;
    for (const word of words) {
      if (custom) {
        this.customs.add(word);
        continue;
      }
      const name = eventName(word);
      if (!name) continue;
      keys++;
      if (name === 'ALL') this.all = true;
      else this.events.add(name);
      if (name === 'CUSTOM') custom = true;
    }
    if (keys === 0) return '-ERR no keywords supplied';
    return `+OK event listener enabled ${this.format}`;
  }

  private filter(args: string): string {
    const space = args.indexOf(' ');
    if (space < 0) return '-ERR invalid syntax';
    let name = args.slice(0, space);
    let value = args.slice(space + 1);
    if (name.toLowerCase() === 'delete') {
      const [h, v] = value.split(' ');
      const at = this.filters.findIndex(([n, val]) => n === h && (v === undefined || val === v));
      if (at >= 0) this.filters.splice(at, 1);
      return `+OK filter deleted. [${h ?? ''}][${v ?? ''}]`;
    }
    if (name.toLowerCase() === 'add') {
      const s = value.indexOf(' ');
      name = value.slice(0, s);
      value = value.slice(s + 1);
    }
    this.filters.push([name, value]);
    return `+OK filter added. [${name}]=[${value}]`;
  }
}

/** Event names FreeSWITCH knows (the subset this stand-in fires, plus common ones). */
// biome-ignore format: one table
const KNOWN = new Set([
  'ALL', 'CUSTOM', 'HEARTBEAT', 'CHANNEL_EXECUTE', 'CHANNEL_EXECUTE_COMPLETE', 'CHANNEL_CALLSTATE',
  'CHANNEL_ANSWER', 'CHANNEL_HANGUP', 'CHANNEL_HANGUP_COMPLETE', 'CHANNEL_PROGRESS_MEDIA',
  'CHANNEL_BRIDGE', 'CHANNEL_UNBRIDGE', 'CHANNEL_CREATE', 'CHANNEL_DESTROY', 'CHANNEL_STATE',
  'CHANNEL_DATA', 'CHANNEL_PARK', 'DTMF', 'DETECTED_TONE', 'PLAYBACK_START', 'PLAYBACK_STOP',
  'RECORD_START', 'RECORD_STOP', 'BACKGROUND_JOB', 'API', 'RE_SCHEDULE',
]);

/** `switch_name_event`: exact names, also with the `SWITCH_EVENT_` prefix, case-insensitive. */
export function eventName(word: string): string | undefined {
  const upper = word.toUpperCase();
  const bare = upper.startsWith('SWITCH_EVENT_') ? upper.slice(13) : upper;
  return KNOWN.has(bare) ? bare : undefined;
}

function plainEvent(serialized: string, body?: string): string {
  const inner =
    body === undefined
      ? serialized
      : `${serialized.slice(0, -1)}Content-Length: ${Buffer.byteLength(body)}\n\n${body}`;
  return `Content-Length: ${Buffer.byteLength(inner)}\nContent-Type: text/event-plain\n\n${inner}`;
}

function renderCommand(command: EslCommand): string {
  const headers = [...command.headers].map(([k, v]) => `${k}: ${v}\n`).join('');
  return `${command.line}\n${headers}\n${command.body}`;
}
