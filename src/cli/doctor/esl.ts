/**
 * The FreeSWITCH event socket (mod_event_socket) as a client speaks it: the server greets with
 * `Content-Type: auth/request`, `auth <password>` gets a `command/reply` with `Reply-Text: +OK
 * accepted` or `-ERR invalid` (then the disconnect notice), and `api <command>` an
 * `api/response` whose body (Content-Length bytes) is the command's output. A client refused by
 * the ACL gets `text/rude-rejection` and the socket closes.
 */

export type EslMessage = { headers: Map<string, string>; body: string };

/** Splits a byte stream into messages: headers to a blank line, then Content-Length bytes. */
export class EslMessages {
  #pending = Buffer.alloc(0);

  push(chunk: Buffer): EslMessage[] {
    this.#pending = Buffer.concat([this.#pending, chunk]);
    const out: EslMessage[] = [];
    for (;;) {
      const end = this.#pending.indexOf('\n\n');
      if (end < 0) return out;
      const headers = new Map<string, string>();
      for (const line of this.#pending.subarray(0, end).toString('utf8').split('\n')) {
        const colon = line.indexOf(':');
        if (colon > 0)
          headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
      }
      const length = Number(headers.get('content-length') ?? 0);
      if (this.#pending.length < end + 2 + length) return out;
      const body = this.#pending.subarray(end + 2, end + 2 + length).toString('utf8');
      this.#pending = this.#pending.subarray(end + 2 + length);
      out.push({ headers, body });
    }
  }
}

/** One command as the socket takes it: the line, then a blank line. */
export const eslCommand = (line: string): string => `${line}\n\n`;
