/**
 * Builds a checked dialplan set one file at a time. Each file's document is dropped as soon as
 * its decisions are made (a caller may hand them on at once); only its facts (file-facts.ts) are
 * applied here, whether just read or kept from an earlier build of the same text. `finish` runs
 * the cross-file rules and either summarises the set or lists every problem with file, line and
 * column.
 */
import type { RouteDecision } from '../routing/decision.js';
import type { NumberIndex } from '../routing/number-index.js';
import { dayOf } from './dates.js';
import { byPosition, type DialplanError } from './errors.js';
import { type ClosedDest, type FileFacts, type NumberFacts, readFileFacts } from './file-facts.js';
import { locateAll } from './locate.js';
import { UNREADABLE_CUSTOMER } from './salvage.js';
import { checkSet } from './set-rules.js';
import { SetState } from './set-state.js';
import type { CustomerDoc, Issue } from './types.js';
import { SetVersion } from './version.js';

export type SetSummary = {
  /** Content hash of the files, so every node can say which dialplans answered a call. */
  version: string;
  files: string[];
  customers: CustomerDoc[];
  activeNumbers: number;
  deactivatedNumbers: number;
};

export type BuildResult =
  | { ok: true; summary: SetSummary; index: NumberIndex }
  | { ok: false; errors: DialplanError[] };

export class SetBuilder {
  readonly #state = new SetState();
  readonly #issues: Issue[] = [];
  readonly #errors: DialplanError[] = [];
  readonly #version = new SetVersion();
  /** The UTC day the entry rules (quarantine) were checked against. */
  readonly today: Date;
  #active = 0;

  constructor(now: Date) {
    this.today = dayOf(now);
    this.#state.brokenCustomerIds.add(UNREADABLE_CUSTOMER);
  }

  /** Checks one file; returns the decisions of its numbers, in the order of their index slots. */
  addFile(file: string, text: string): RouteDecision[] {
    const { facts, decisions } = readFileFacts(file, text, this.today);
    this.addFacts(file, text, facts);
    return decisions;
  }

  /**
   * Adds a file by its facts, read from this same text on this same day (by this builder or an
   * earlier one): the set comes out as if the file had been read again. The text may come as its
   * UTF-8 bytes (valid UTF-8 only: they hash as the decoded text does).
   */
  addFacts(file: string, text: string | Uint8Array, facts: FileFacts): void {
    this.#version.add(file, text);
    const state = this.#state;
    state.files.push(file);
    for (const e of facts.errors) this.#errors.push(e);
    for (const i of facts.issues) this.#issues.push(i);
    for (const id of facts.brokenCustomerIds) state.brokenCustomerIds.add(id);
    for (const c of facts.customers) {
      const path = ['customers', c.i];
      const first = state.customers.get(c.customer.id);
      if (first) {
        this.#issues.push({
          file,
          path: [...path, 'id'],
          related: first,
          message: `customer '${c.customer.id}' is already defined at {related}`,
        });
        continue;
      }
      state.customers.set(c.customer.id, { file, path, customer: c.customer });
      for (const i of c.issues) this.#issues.push(i);
      this.#closedDests(c.closed);
    }
    if (facts.numbers) this.#addNumbers(facts.numbers);
  }

  /** Number entries added so far (salvaged ones included). */
  get numberCount(): number {
    return this.#state.count;
  }

  finish(textOf: (file: string) => string): BuildResult {
    this.#state.seal();
    const { issues, index } = checkSet(this.#state);
    const all = [...this.#issues, ...issues];
    if (all.length > 0 || this.#errors.length > 0) {
      return { ok: false, errors: [...this.#errors, ...locateAll(all, textOf)].sort(byPosition) };
    }
    const state = this.#state;
    const summary: SetSummary = {
      version: this.#version.digest(),
      files: state.files,
      customers: [...state.customers.values()].map((c) => c.customer),
      activeNumbers: this.#active,
      deactivatedNumbers: state.count - this.#active,
    };
    return { ok: true, summary, index };
  }

  #addNumbers(n: NumberFacts): void {
    const state = this.#state;
    const base = state.count;
    const dests = n.destValue.length;
    state.reserve(n.count, dests);
    const fileSlot = state.files.length - 1;
    const owners = Uint32Array.from(n.ownerIds, (id) => state.customerSlot(id));
    const geo = Uint16Array.from([0, ...n.geoKinds.map((c) => state.geoSlot(c))]);
    for (const i of n.issues) this.#issues.push(i);
    this.#active += n.active;
    state.values.set(n.values, base);
    state.entryOf.set(n.entryOf, base);
    state.hours.set(n.hours, base);
    state.fileOf.fill(fileSlot, base, base + n.count);
    for (let k = 0; k < n.count; k++) {
      state.owners[base + k] = owners[n.owners[k]!]!;
      state.geo[base + k] = geo[n.geo[k]!]!;
    }
    state.count += n.count;
    for (const r of n.refs) state.refs.push({ ...r, slot: base + r.slot });
    const d0 = state.destCount;
    state.destIndex.set(n.destIndex, d0);
    state.destMember.set(n.destMember, d0);
    state.destValue.set(n.destValue, d0);
    for (let d = 0; d < dests; d++) state.destSlot[d0 + d] = base + n.destSlot[d]!;
    state.destCount += dests;
    this.#closedDests(n.closedDests);
  }

  #closedDests(dests: readonly ClosedDest[]): void {
    for (const d of dests) this.#state.closedDests.push(d);
  }
}
