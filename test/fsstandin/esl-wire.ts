// ESL framing as mod_event_socket speaks it: LF-terminated header blocks, an optional body of
// Content-Length bytes, URL-encoded header values in serialised events. Reads a byte stream:
// modesl writes one command in several writes, so a command may arrive split or glued.

export interface EslCommand {
  /** First line, e.g. `sendmsg <uuid>` or `api sofia status`. */
  line: string;
  /** Further `Name: value` lines (not URL-decoded: ESL clients send them raw). */
  headers: Map<string, string>;
  body: string;
}

/** Splits an incoming byte stream into commands, as `read_packet` does (leading blank lines skipped). */
export class EslReader {
  private buffer = Buffer.alloc(0);

  push(chunk: Buffer): EslCommand[] {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    const out: EslCommand[] = [];
    for (;;) {
      while (this.buffer.length > 0 && (this.buffer[0] === 0x0a || this.buffer[0] === 0x0d)) {
        this.buffer = this.buffer.subarray(1);
      }
      const end = headerEnd(this.buffer);
      if (!end) return out;
      const lines = this.buffer
        .subarray(0, end.index)
        .toString('utf8')
        .split('\n')
        .map((l) => l.replace(/\r$/, ''));
      const headers = new Map<string, string>();
      for (const l of lines.slice(1)) {
        const colon = l.indexOf(':');
        if (colon > 0) headers.set(l.slice(0, colon).trim(), l.slice(colon + 1).trim());
      }
      const length = Number(lookup(headers, 'content-length') ?? 0) || 0;
      const bodyStart = end.index + end.length;
      if (this.buffer.length < bodyStart + length) return out;
      const body = this.buffer.subarray(bodyStart, bodyStart + length).toString('utf8');
      this.buffer = this.buffer.subarray(bodyStart + length);
      out.push({ line: lines[0] ?? '', headers, body });
    }
  }
}

function headerEnd(buf: Buffer): { index: number; length: number } | undefined {
  const lf = buf.indexOf('\n\n');
  const crlf = buf.indexOf('\r\n\r\n');
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return { index: crlf, length: 4 };
  return lf >= 0 ? { index: lf, length: 2 } : undefined;
}

/** Case-insensitive header lookup (FreeSWITCH event headers are case-insensitive). */
export function lookup(headers: Map<string, string>, name: string): string | undefined {
  const key = name.toLowerCase();
  for (const [k, v] of headers) if (k.toLowerCase() === key) return v;
  return undefined;
}

const UNSAFE = new Set(Array.from('\r\n "#%&+:;<=>?@[\\]^`{|}', (c) => c.charCodeAt(0)));

/** `switch_url_encode`: control bytes, non-ASCII bytes and its unsafe set become %XX. */
export function fsEncode(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    if (byte < 0x20 || byte > 0x7e || UNSAFE.has(byte)) {
      out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    } else out += String.fromCharCode(byte);
  }
  return out;
}

export type EventHeaders = ReadonlyArray<readonly [string, string]>;

/** `switch_event_serialize(…, encode=TRUE)`: `Name: urlencoded\n` per header, blank line. */
export function serializePlain(headers: EventHeaders): string {
  return `${headers.map(([k, v]) => `${k}: ${fsEncode(v)}`).join('\n')}\n\n`;
}

export function commandReply(text: string): string {
  return `Content-Type: command/reply\nReply-Text: ${text}\n\n`;
}

export function apiResponse(body: string): string {
  const text = body.length > 0 ? body : '-ERR no reply\n';
  return `Content-Type: api/response\nContent-Length: ${Buffer.byteLength(text)}\n\n${text}`;
}

export function eventJson(headers: EventHeaders, body?: string): string {
  const data: Record<string, string> = {};
  for (const [k, v] of headers) data[k] = v;
  if (body !== undefined) {
    data['Content-Length'] = String(Buffer.byteLength(body));
    data._body = body;
  }
  const json = JSON.stringify(data);
  return `Content-Length: ${Buffer.byteLength(json)}\nContent-Type: text/event-json\n\n${json}`;
}

export const GOODBYE = 'Disconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n';

/** `send_disconnect`: outbound (session) sockets also name the controlled session. */
export function disconnectNotice(sessionUuid?: string): string {
  const len = Buffer.byteLength(GOODBYE);
  return sessionUuid
    ? `Content-Type: text/disconnect-notice\nControlled-Session-UUID: ${sessionUuid}\nContent-Disposition: disconnect\nContent-Length: ${len}\n\n${GOODBYE}`
    : `Content-Type: text/disconnect-notice\nContent-Length: ${len}\n\n${GOODBYE}`;
}
