/**
 * The disk side of the record writer: an append-only file of JSON lines (a call's anonymised
 * record and, when on, its traffic record: as sensitive as the traffic stream), read from a cursor in
 * order and truncated once everything in it has been replayed. Appends are fsynced, so a record
 * that reached the spool survives a crash of the process (SIGKILL included). After a crash the
 * whole file is replayed from the start; the writer's per-node sequence check in Redis drops
 * what had already been written.
 */
import { mkdirSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { join } from 'node:path';
import type { StreamRecord } from './entry.js';
import type { TrafficRecord } from './traffic-entry.js';

/**
 * One call as the writer queues and spools it. `traffic`: its traffic record, when traffic
 * records are on; lines spooled by a version without them have none and replay as they are.
 */
export type Spooled = { seq: number; record: StreamRecord; traffic?: TrafficRecord };

const READ_CHUNK = 1 << 20;

export class Spool {
  readonly path: string;
  readonly #maxBytes: number;
  #file: FileHandle | undefined;
  #size = 0;
  #cursor = 0;
  /** Records appended and not yet consumed, as far as this process knows (after a restart: counted on open). */
  #pending = 0;

  constructor(dir: string, name: string, maxBytes: number) {
    mkdirSync(dir, { recursive: true });
    this.path = join(dir, `${name}.spool`);
    this.#maxBytes = maxBytes;
  }

  /** Owner-only (0600): with traffic records on, the spool holds callers' numbers. */
  async open(): Promise<void> {
    this.#file = await open(this.path, 'a+', 0o600);
    // a file made by an earlier version (or another umask) is narrowed too
    await this.#file.chmod(0o600);
    this.#size = (await this.#file.stat()).size;
    await this.#dropTornTail();
    this.#pending = this.#size === 0 ? 0 : await this.#countLines();
  }

  /** A crash in the middle of an append leaves a line without its newline: never acknowledged. */
  async #dropTornTail(): Promise<void> {
    if (this.#size === 0) return;
    const buf = Buffer.alloc(Math.min(this.#size, READ_CHUNK));
    await this.#handle().read(buf, 0, buf.length, this.#size - buf.length);
    if (buf[buf.length - 1] === 10) return;
    const lastNewline = buf.lastIndexOf(10);
    this.#size =
      lastNewline < 0
        ? Math.max(0, this.#size - buf.length)
        : this.#size - buf.length + lastNewline + 1;
    await this.#handle().truncate(this.#size);
  }

  get pending(): number {
    return this.#pending;
  }

  /** Appends and fsyncs; returns how many fitted (the rest would exceed the size limit). */
  async append(items: readonly Spooled[]): Promise<number> {
    const file = this.#handle();
    const lines: string[] = [];
    let bytes = 0;
    for (const item of items) {
      const line = `${JSON.stringify(item)}\n`;
      const size = Buffer.byteLength(line);
      if (this.#size + bytes + size > this.#maxBytes) break;
      lines.push(line);
      bytes += size;
    }
    const fitted = lines.length;
    if (fitted === 0) return 0;
    const buffer = Buffer.from(lines.join(''), 'utf8');
    await file.write(buffer, 0, buffer.length, null);
    await file.datasync();
    this.#size += buffer.length;
    this.#pending += fitted;
    return fitted;
  }

  /** Up to `max` records from the cursor, and how many bytes they span. */
  async peek(max: number): Promise<{ items: Spooled[]; bytes: number }> {
    const file = this.#handle();
    const items: Spooled[] = [];
    let bytes = 0;
    while (items.length < max && this.#cursor + bytes < this.#size) {
      const buf = Buffer.alloc(Math.min(READ_CHUNK, this.#size - this.#cursor - bytes));
      const { bytesRead } = await file.read(buf, 0, buf.length, this.#cursor + bytes);
      const text = buf.subarray(0, bytesRead).toString('utf8');
      const lastNewline = text.lastIndexOf('\n');
      if (lastNewline < 0) break; // a torn last line from a crash mid-append: never acknowledged
      let start = 0;
      while (items.length < max && start <= lastNewline) {
        const end = text.indexOf('\n', start);
        items.push(JSON.parse(text.slice(start, end)) as Spooled);
        bytes += Buffer.byteLength(text.slice(start, end + 1));
        start = end + 1;
      }
    }
    return { items, bytes };
  }

  /** Marks `count` records (`bytes` long) replayed; an empty spool is truncated. */
  async consume(count: number, bytes: number): Promise<void> {
    this.#cursor += bytes;
    this.#pending = Math.max(0, this.#pending - count);
    if (this.#cursor >= this.#size) {
      await this.#handle().truncate(0);
      this.#size = 0;
      this.#cursor = 0;
      this.#pending = 0;
    }
  }

  async close(): Promise<void> {
    await this.#file?.close();
    this.#file = undefined;
  }

  #handle(): FileHandle {
    if (!this.#file) throw new Error('spool is not open');
    return this.#file;
  }

  async #countLines(): Promise<number> {
    const buf = Buffer.alloc(this.#size);
    await this.#handle().read(buf, 0, this.#size, 0);
    let n = 0;
    for (const byte of buf) if (byte === 10) n++;
    return n;
  }
}
