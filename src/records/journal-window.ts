/**
 * The call journal's crash window: entries reach Redis in batches (one HSET per flush), so a
 * gateway killed between a call's admission or answer and the next flush would leave no trace
 * of that call. Every entry is therefore also appended here at once, with a plain write (no
 * fsync: a dead process's writes are in the kernel's page cache and survive SIGKILL and OOM; a
 * power loss can take the last moments, as documented). A restart with the same node id takes
 * what an earlier life left here and the call journal writes it as `node-lost`.
 *
 * A rejected call has no entry (it is over as it begins), so its record itself waits here while
 * the writer holds it in memory (its linger, or a Redis outage before `spoolAfterMs`): a restart
 * puts it in the spool with its sequence, and the writer's mark check writes it once.
 *
 * JSON lines: `{"id","e"}` an entry, the journal's JSON value as it is (the last of an id wins;
 * `{"id","v"}`, the value as a JSON string, is what earlier builds wrote and is still read:
 * escaping the value once more cost more CPU than the write), `{"rec"}` a record as the writer
 * queued it (the last of an id wins: a renumbered record), `{"done":[ids]}` records that reached
 * Redis (or were dropped, counted), whose entries and records must not come back. Only entries
 * Redis may lack matter: once a flush has them in Redis they are kept in memory no longer, and
 * the file is emptied when none is left, else rewritten with what is left at most once a second
 * and whenever it has grown past `compactBytes`.
 */
import {
  closeSync,
  existsSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import type { Spooled } from './spool.js';

type Line = {
  id?: unknown;
  e?: unknown;
  v?: unknown;
  done?: unknown;
  sent?: unknown;
  rec?: unknown;
};
type Old = { entries: Map<string, string>; records: Map<string, Spooled> };

export class JournalWindow {
  readonly path: string;
  readonly #compactBytes: number;
  /** Entries Redis may lack: id → [value, version]. */
  readonly #open = new Map<string, [string, number]>();
  /** Records queued without an entry, until they settle: id → line. */
  readonly #records = new Map<string, string>();
  #fd: number;
  #bytes = 0;
  #version = 0;
  #rewritten = 0;
  /** `done` lines of written records that wait for the next write. */
  #doneLines = '';
  /** What an earlier life left here, read once at the start. */
  readonly #old: Map<string, string>;
  /** Records an earlier life had queued and not settled; kept in rewrites until taken. */
  readonly #oldRecords: Map<string, Spooled>;

  constructor(dir: string, node: string, compactBytes = 1 << 20) {
    mkdirSync(dir, { recursive: true });
    this.path = join(dir, `${node}.window`);
    this.#compactBytes = compactBytes;
    const old = existsSync(this.path)
      ? parse(readFileSync(this.path, 'utf8'))
      : { entries: new Map(), records: new Map() };
    this.#old = old.entries;
    this.#oldRecords = old.records;
    // the old content stays until the journal has it safe elsewhere (takeOld's `kept`)
    this.#fd = openSync(this.path, 'a', 0o600);
  }

  /**
   * The entries an earlier life left whose records never reached Redis; `kept` must put them
   * somewhere durable (the disk journal) before the file forgets them.
   */
  takeOld(kept: (entries: ReadonlyMap<string, string>) => void): void {
    if (this.#old.size > 0) kept(this.#old);
    this.#old.clear();
    this.#rewrite();
  }

  /**
   * The records an earlier life queued that never settled, in sequence order; `kept` must put
   * them somewhere durable (the spool) before the file forgets them. Taken before the entries
   * (`takeOld` rewrites the file), else they stay in it.
   */
  async takeOldRecords(kept: (records: Spooled[]) => Promise<void>): Promise<void> {
    if (this.#oldRecords.size === 0) return;
    await kept([...this.#oldRecords.values()].sort((a, b) => a.seq - b.seq));
    this.#oldRecords.clear();
  }

  /** A record the writer queued that no entry covers, as queued; again when renumbered. */
  record(queued: Spooled): void {
    const line = recordLine(queued);
    this.#records.set(queued.record.id, line);
    this.#write(line);
  }

  /** An entry, new or changed; returns its version for `inRedis`. */
  note(id: string, value: string): number {
    const version = ++this.#version;
    this.#open.set(id, [value, version]);
    this.#write(entryLine(id, value));
    return version;
  }

  /** Redis (or the fsynced disk journal) has these entries as of `version`: no need to keep them. */
  inRedis(entries: readonly (readonly [string, number])[]): void {
    for (const [id, version] of entries)
      if (this.#open.get(id)?.[1] === version) this.#open.delete(id);
    this.#forget();
  }

  /**
   * Records about to be sent, with their sequences: a kill between Redis taking them and `done`
   * leaves the reaper the means to tell (the node's mark reaches the sequence).
   */
  sending(records: readonly (readonly [string, number])[]): void {
    if (records.length > 0) this.#write(`${JSON.stringify({ sent: records })}\n`);
  }

  /**
   * Records that reached Redis (`written`), or were dropped for good: their entries never come
   * back. The line of written records rides on the next write instead of a write of its own (a
   * call's fourth): a kill before then leaves their `sent` lines, whose sequences the node's mark
   * reaches, and the reaper and the spool's mark check skip them. A drop is written at once: no
   * mark covers a dropped record, and it would come back.
   */
  done(ids: readonly string[], written = false): void {
    if (ids.length === 0) return;
    for (const id of ids) {
      this.#open.delete(id);
      this.#records.delete(id);
    }
    this.#doneLines += `{"done":${JSON.stringify(ids)}}\n`;
    if (!written) this.#write('');
    this.#forget();
  }

  /**
   * Lines nobody needs (entries in Redis, calls settled) leave the file soon: with traffic
   * records on, entries hold callers' numbers, which stay on disk no longer than a second.
   */
  #forget(): void {
    if (this.#bytes === 0) return;
    if (this.#open.size === 0 && this.#records.size === 0 && this.#oldRecords.size === 0) {
      ftruncateSync(this.#fd, 0);
      this.#bytes = 0;
      this.#doneLines = '';
    } else if (performance.now() - this.#rewritten > 1000) this.#rewrite();
  }

  close(): void {
    if (this.#doneLines) this.#write('');
    closeSync(this.#fd);
  }

  #write(text: string): void {
    if (this.#doneLines) {
      text = this.#doneLines + text;
      this.#doneLines = '';
    }
    this.#bytes += writeSync(this.#fd, text);
    if (this.#bytes > this.#compactBytes) this.#rewrite();
  }

  /** Only the entries Redis may lack, in a new file that replaces the old one at once. */
  #rewrite(): void {
    let text = '';
    for (const [id, [v]] of this.#open) text += entryLine(id, v);
    for (const rec of this.#oldRecords.values()) text += recordLine(rec);
    for (const line of this.#records.values()) text += line;
    // what the pending done lines would cancel is not in the new file
    this.#doneLines = '';
    const tmp = `${this.path}.tmp`;
    writeFileSync(tmp, text, { mode: 0o600 });
    renameSync(tmp, this.path);
    closeSync(this.#fd);
    this.#fd = openSync(this.path, 'a', 0o600);
    this.#bytes = text.length;
    this.#rewritten = performance.now();
  }
}

/** An `{"id","e"}` line: `value` is the journal's JSON (journal-entry.ts), written as it is. */
function entryLine(id: string, value: string): string {
  return `{"id":${JSON.stringify(id)},"e":${value}}\n`;
}

/** A `{"rec"}` line: what the spool would hold of the record (not the writer's own fields). */
function recordLine({ seq, record, traffic }: Spooled): string {
  return `${JSON.stringify({ rec: { seq, record, ...(traffic && { traffic }) } })}\n`;
}

/** The last line of each id, without those marked done; a torn last line is skipped. */
function parse(text: string): Old {
  const out = new Map<string, string>();
  const records = new Map<string, Spooled>();
  for (const raw of text.split('\n')) {
    if (!raw) continue;
    let line: Line;
    try {
      line = JSON.parse(raw) as Line;
    } catch {
      // a kill in the middle of a write: that entry's call is the one a write never finished
      continue;
    }
    if (typeof line.id === 'string' && typeof line.e === 'object' && line.e !== null)
      out.set(line.id, JSON.stringify(line.e));
    else if (typeof line.id === 'string' && typeof line.v === 'string') out.set(line.id, line.v);
    if (isSpooled(line.rec)) records.set(line.rec.record.id, line.rec);
    if (Array.isArray(line.done))
      for (const id of line.done) {
        out.delete(String(id));
        records.delete(String(id));
      }
    if (Array.isArray(line.sent)) for (const sent of line.sent) withSeq(out, sent);
  }
  return { entries: out, records };
}

function isSpooled(rec: unknown): rec is Spooled {
  if (typeof rec !== 'object' || rec === null) return false;
  const { seq, record } = rec as { seq?: unknown; record?: { id?: unknown } };
  return typeof seq === 'number' && typeof record?.id === 'string';
}

/** The entry of a sent record carries its sequence (journal-entry.ts `seq`). */
function withSeq(out: Map<string, string>, sent: unknown): void {
  if (!Array.isArray(sent) || typeof sent[0] !== 'string' || typeof sent[1] !== 'number') return;
  const v = out.get(sent[0]);
  if (v === undefined) return;
  try {
    out.set(sent[0], JSON.stringify({ ...JSON.parse(v), seq: sent[1] }));
  } catch {
    // an entry that does not parse stays as it is: the reaper reports it
  }
}
