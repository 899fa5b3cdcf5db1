// drachtio framing: `<N>#<payload>`, N = decimal UTF-8 byte length of the payload, no terminator.
// Frames arrive glued together or split anywhere, including inside the length or a UTF-8 char.

/** drachtio-server reads at most 5 length digits from an app; a 6th is a protocol error. */
export const MAX_LENGTH_DIGITS = 5;

export class FramingError extends Error {
  override name = 'FramingError';
}

export class FrameDecoder {
  private pending: Buffer = Buffer.alloc(0);
  private expected: number | undefined;

  /** `maxDigits`: what an app may send (the default); drachtio-server's own frames have no limit. */
  constructor(private readonly maxDigits = MAX_LENGTH_DIGITS) {}

  /** Feeds bytes; returns every payload completed by them. Throws FramingError on bad input. */
  push(chunk: Buffer): string[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const out: string[] = [];
    for (;;) {
      if (this.expected === undefined && !this.readLength()) break;
      const size = this.expected ?? 0;
      if (this.pending.length < size) break;
      const payload = this.pending.subarray(0, size).toString('utf8');
      this.pending = this.pending.subarray(size);
      this.expected = undefined;
      // drachtio-server never processes a zero-length frame; it just moves on.
      if (size > 0) out.push(payload);
    }
    return out;
  }

  private readLength(): boolean {
    const limit = Math.min(this.pending.length, this.maxDigits + 1);
    for (let i = 0; i < limit; i++) {
      const byte = this.pending[i] ?? 0;
      if (byte === 0x23 /* # */) {
        if (i === 0) throw new FramingError('message length missing');
        this.expected = Number(this.pending.subarray(0, i).toString('ascii'));
        this.pending = this.pending.subarray(i + 1);
        return true;
      }
      if (byte < 0x30 || byte > 0x39) throw new FramingError('invalid message length specifier');
    }
    if (this.pending.length > this.maxDigits) throw new FramingError('message length too long');
    return false;
  }
}

export function encodeFrame(payload: string): Buffer {
  return Buffer.from(`${Buffer.byteLength(payload, 'utf8')}#${payload}`, 'utf8');
}
