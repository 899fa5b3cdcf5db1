/**
 * The dialplan versions this gateway has served since it started, newest last: what changed when,
 * and through what (`api` with the token's name, or `files` for a hand edit, a SIGHUP or the
 * start). Kept in memory and bounded: the audit trail is the durable record of API changes.
 */
export type VersionRecord = {
  readonly version: string;
  /** When this gateway first had it (ISO time). */
  readonly at: string;
  readonly origin: string;
  /** Number entries in the set, active and deactivated. */
  readonly numbers: number;
};

export class DialplanHistory {
  readonly #versions: VersionRecord[] = [];

  constructor(readonly limit = 100) {}

  /** Records a version unless it is the current one already (a reload of an unchanged set). */
  record(entry: VersionRecord): void {
    if (this.#versions.at(-1)?.version === entry.version) return;
    this.#versions.push(Object.freeze({ ...entry }));
    if (this.#versions.length > this.limit) this.#versions.shift();
  }

  get versions(): readonly VersionRecord[] {
    return this.#versions;
  }
}
