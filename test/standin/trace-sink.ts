// Where a stand-in's trace records go. A test reads them all afterwards (`keep`, the default); a
// bench at hundreds of calls a second would hold hundreds of MB that way, so it hands each record
// to its own counter instead, or has none made at all.
import { appendFileSync } from 'node:fs';

export type TraceTarget<R> = 'keep' | 'none' | ((record: R) => void);

export class TraceSink<R> {
  readonly records: R[] = [];
  #target: TraceTarget<R> = 'keep';

  /** `file`: every record also appended to it as a JSON line (a failed run's debugging). */
  constructor(protected readonly file?: string) {}

  /** From now on each record goes to `target`; records kept before stay. */
  sendTo(target: TraceTarget<R>): void {
    this.#target = target;
  }

  /** Nothing takes a record: a caller may skip making it. */
  get idle(): boolean {
    return this.#target === 'none' && !this.file;
  }

  protected put(record: R): void {
    const target = this.#target;
    if (target === 'keep') this.records.push(record);
    else if (target !== 'none') target(record);
    if (this.file) appendFileSync(this.file, `${JSON.stringify(record)}\n`);
  }
}
