/**
 * The immutable answer to "where does this number go?". Built once per (re)load; a lookup
 * normalises the raw number to an integer and probes the number index: no allocation on a hit.
 */

import type { CustomerDoc } from '../dialplan/types.js';
import { COUNTRY_CODES, countryOf } from '../numbering/classify.js';
import { FAILURES, normaliseValue } from '../numbering/normalise.js';
import { deepFreeze } from '../util/freeze.js';
import type { ForwardDecision, RejectDecision, RouteDecision } from './decision.js';
import { NumberIndex } from './number-index.js';
import type { CallPlan } from './plan.js';
import { Planner, type Rules } from './planner.js';
import { REJECT_REASONS, type RejectReason } from './reasons.js';

export type RouteTableInfo = {
  /** Content hash of the dialplan files the table was compiled from. */
  readonly version: string;
  readonly loadedAt: string;
  readonly activeNumbers: number;
  readonly deactivatedNumbers: number;
  readonly customers: number;
};

export function reject(
  reason: RejectReason,
  fields: Omit<RejectDecision, 'kind' | 'reason' | 'sipStatus'>,
): RejectDecision {
  return Object.freeze({
    kind: 'reject',
    reason,
    sipStatus: REJECT_REASONS[reason].sipStatus,
    ...fields,
  });
}

/** What a table answers from: `decisions[i]` is the decision for the number the index maps to i. */
export type TableData = {
  readonly decisions: readonly RouteDecision[];
  readonly index: NumberIndex;
  readonly customers: readonly CustomerDoc[];
};

export class RouteTable {
  readonly #decisions: readonly RouteDecision[];
  readonly #index: NumberIndex;
  readonly #customers: ReadonlyMap<string, CustomerDoc>;
  readonly #planner: Planner;
  /** The slot of the last number found: a call plans the decision it has just looked up. */
  #lastSlot = -1;
  /** Per slot, 1 + the id of its planner rules once it was planned (0: not yet). */
  #ruleIds: Int32Array | undefined;
  readonly #cc: number;
  readonly #ccDigits: number;
  readonly info: RouteTableInfo;

  constructor(data: TableData, info: RouteTableInfo, defaultCountry: 'DE' | 'AT') {
    this.#decisions = data.decisions;
    this.#index = data.index;
    this.#customers = new Map(data.customers.map((c) => [c.id, deepFreeze(c)]));
    this.#planner = new Planner(this.#customers.values());
    this.info = Object.freeze({ ...info });
    this.#cc = Number(COUNTRY_CODES[defaultCountry]);
    this.#ccDigits = COUNTRY_CODES[defaultCountry].length;
    Object.freeze(this);
  }

  static empty(defaultCountry: 'DE' | 'AT'): RouteTable {
    return new RouteTable(
      { decisions: [], index: NumberIndex.build([]), customers: [] },
      EMPTY_INFO,
      defaultCountry,
    );
  }

  get size(): number {
    return this.#decisions.length;
  }

  lookup(raw: string): RouteDecision {
    const value = normaliseValue(raw, this.#cc, this.#ccDigits);
    if (value < 0)
      return reject('malformed', { detail: (FAILURES[-value] ?? FAILURES[0]!).detail });
    const slot = this.#index.get(value);
    if (slot >= 0) {
      this.#lastSlot = slot;
      return this.#decisions[slot]!;
    }
    const number = `+${value}`;
    return reject(countryOf(number) === 'other' ? 'not-de-at' : 'unknown', { number });
  }

  /**
   * What a call to this number does at `atMs` (epoch ms): its destinations while open, the
   * closed action otherwise (the number's hours and closed action, else its customer's).
   */
  plan(decision: ForwardDecision, atMs: number): CallPlan {
    return this.#planner.plan(decision, atMs, this.#rulesOf(decision));
  }

  /**
   * The decision just looked up finds its rules by its slot, in a typed array: finding them
   * from the decision (its options, its customer) costs a plan more than the rest of it.
   */
  #rulesOf(decision: ForwardDecision): Rules {
    const slot = this.#lastSlot;
    if (slot < 0 || this.#decisions[slot] !== decision) return this.#planner.rules(decision);
    this.#ruleIds ??= new Int32Array(this.#decisions.length);
    const noted = this.#ruleIds[slot]!;
    if (noted > 0) return this.#planner.byId(noted - 1);
    const rules = this.#planner.rules(decision);
    this.#ruleIds[slot] = rules.id + 1;
    return rules;
  }

  /** The IANA timezone a number's hours are kept in; undefined when nothing closes it. */
  timezone(decision: ForwardDecision): string | undefined {
    return this.#planner.rules(decision).schedule?.clock.zone;
  }

  /** The customer a decision names (its name, seat), e.g. for display or records. */
  customer(id: string): CustomerDoc | undefined {
    return this.#customers.get(id);
  }

  /** Every customer, frozen, in file order: for read-only views (the admin API), not calls. */
  customers(): IterableIterator<CustomerDoc> {
    return this.#customers.values();
  }

  /**
   * Every number's decision (forward, or reject for a deactivated one), frozen, in slot order: for
   * read-only views, beside the lookup path and without touching what it caches.
   */
  decisions(): IterableIterator<RouteDecision> {
    return this.#decisions.values();
  }
}

export const EMPTY_INFO: RouteTableInfo = Object.freeze({
  version: 'empty',
  loadedAt: new Date(0).toISOString(),
  activeNumbers: 0,
  deactivatedNumbers: 0,
  customers: 0,
});
