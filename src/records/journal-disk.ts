/**
 * The call journal's disk side, for while Redis is away: an append-only file of JSON lines, one
 * entry each (`{"id", "v"}`, the last line of an id wins), fsynced, mode 0600 (with traffic
 * records on it holds callers' numbers, like the spool). Emptied as soon as Redis holds what it
 * had; read again after a crash, so a call admitted while Redis was down is not lost either.
 */
import {
  closeSync,
  existsSync,
  fdatasyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  statSync,
  writeSync,
} from 'node:fs';
import { open, truncate } from 'node:fs/promises';
import { join } from 'node:path';

export class DiskJournal {
  readonly path: string;
  #pending: boolean;
  #chain: Promise<void> = Promise.resolve();

  constructor(dir: string, node: string) {
    mkdirSync(dir, { recursive: true });
    this.path = join(dir, `${node}.journal`);
    if (!existsSync(this.path)) closeSync(openSync(this.path, 'a', 0o600));
    this.#pending = statSync(this.path).size > 0;
    this.lastBeat = this.#pending ? this.#readBeat() : undefined;
  }

  /** The last heartbeat an earlier life wrote here (ms, this host's clock) while Redis was away. */
  readonly lastBeat: number | undefined;

  #readBeat(): number | undefined {
    let last: number | undefined;
    for (const line of readFileSync(this.path, 'utf8').split('\n')) {
      if (!line.startsWith('{"beat":')) continue;
      const at = Number(/^\{"beat":(\d+)\}$/.exec(line)?.[1]);
      if (Number.isFinite(at)) last = Math.max(last ?? 0, at);
    }
    return last;
  }

  /** A heartbeat while Redis is away: a restart ends the calls it finds here at the last one. */
  beat(at: number): Promise<void> {
    return this.#write(`${JSON.stringify({ beat: at })}\n`);
  }

  /** The file holds entries Redis may not have. */
  get pending(): boolean {
    return this.#pending;
  }

  /** Every entry in the file, the last line of each id; a torn last line is skipped. */
  read(): Map<string, string> {
    const out = new Map<string, string>();
    for (const line of readFileSync(this.path, 'utf8').split('\n')) {
      if (!line) continue;
      try {
        const { id, v } = JSON.parse(line) as { id?: unknown; v?: unknown };
        if (typeof id === 'string' && typeof v === 'string') out.set(id, v);
      } catch {
        // a crash in the middle of an append: that line was never acknowledged
      }
    }
    return out;
  }

  /** Appends and fsyncs, in order with every other change; a failure is the caller's to log. */
  append(pairs: readonly (readonly [string, string])[]): Promise<void> {
    return this.#write(pairs.map(([id, v]) => `${JSON.stringify({ id, v })}\n`).join(''));
  }

  /**
   * The same, at once, for the start: what the crash window file kept of an earlier life is
   * made durable here before that file forgets it (nothing else writes yet).
   */
  appendSync(entries: ReadonlyMap<string, string>): void {
    const fd = openSync(this.path, 'a', 0o600);
    try {
      writeSync(fd, [...entries].map(([id, v]) => `${JSON.stringify({ id, v })}\n`).join(''));
      fdatasyncSync(fd);
    } finally {
      closeSync(fd);
    }
    this.#pending = true;
  }

  #write(text: string): Promise<void> {
    this.#pending = true;
    return this.#then(async () => {
      const file = await open(this.path, 'a', 0o600);
      try {
        await file.write(text);
        await file.datasync();
        // a clear queued before this append has run by now
        this.#pending = true;
      } finally {
        await file.close();
      }
    });
  }

  /** Redis has everything the file had. */
  clear(): Promise<void> {
    return this.#then(async () => {
      await truncate(this.path, 0);
      this.#pending = false;
    });
  }

  #then(step: () => Promise<void>): Promise<void> {
    const next = this.#chain.then(step);
    this.#chain = next.catch(() => undefined);
    return next;
  }
}
