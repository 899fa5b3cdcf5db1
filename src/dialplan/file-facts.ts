/**
 * What one dialplan file contributes to a set, found from its text and the day alone: its YAML
 * and schema problems, its customers with their own checks, and of each number entry the few
 * facts the cross-file rules need, in typed arrays. Nothing here depends on another file, so the
 * facts of an unchanged file can be kept and replayed into the next build (set-cache.ts) instead
 * of parsing and checking the file again; `SetBuilder` applies fresh and kept facts alike.
 */
import type { Classification } from '../numbering/classify.js';
import { e164Value, spellingAdvice } from '../numbering/normalise.js';
import type { RouteDecision } from '../routing/decision.js';
import { describeErrors, type SchemaProblem, schemaValidator } from '../schema/ajv.js';
import { decide } from './compile.js';
import { type ClosedDestinations, checkCustomer, checkNumber } from './entry-rules.js';
import type { DialplanError } from './errors.js';
import { parseYaml } from './parse.js';
import { salvageNumber } from './salvage.js';
import { hoursBits } from './set-state.js';
import type { CustomerDoc, DialplanDoc, Issue, NumberDoc, Place } from './types.js';

/** An E.164 destination of a closed action, with its place, for the loop rule. */
export type ClosedDest = { at: Place; value: number };

/** A customer entry that passed the schema; whether it is the first of its id is a set question. */
export type CustomerFacts = {
  i: number;
  customer: CustomerDoc;
  issues: readonly Issue[];
  closed: readonly ClosedDest[];
};

/** Number entries, one position per entry (salvaged ones included), in file order. */
export type NumberFacts = {
  count: number;
  active: number;
  values: Float64Array;
  /** Index into `ownerIds`: one string per customer, not per number. */
  owners: Uint32Array;
  ownerIds: string[];
  /** 0: not an active geographic number; k: `geoKinds[k - 1]` (the seat rule reads country and area code). */
  geo: Uint16Array;
  geoKinds: Classification[];
  entryOf: Uint32Array;
  hours: Uint8Array;
  /** `slot` counts from the file's first number. */
  refs: { slot: number; field: 'replaces' | 'replacedBy'; target: number; text: string }[];
  destSlot: Uint32Array;
  destIndex: Uint32Array;
  destMember: Int32Array;
  destValue: Float64Array;
  closedDests: ClosedDest[];
  issues: Issue[];
};

export type FileFacts = {
  /** YAML syntax errors, positioned already; with them there is nothing else. */
  errors: readonly DialplanError[];
  /** Schema problems, before the entries' own. */
  issues: readonly Issue[];
  brokenCustomerIds: readonly string[];
  customers: readonly CustomerFacts[];
  numbers: NumberFacts | undefined;
};

const SCHEMA = 'dialplan.schema.json';

/** Reads one file: its facts, and the decisions of the entries that passed the schema, in order. */
export function readFileFacts(
  file: string,
  text: string,
  today: Date,
): { facts: FileFacts; decisions: RouteDecision[] } {
  const parsed = parseYaml(file, text);
  const facts = {
    errors: [] as DialplanError[],
    issues: [] as Issue[],
    brokenCustomerIds: [] as string[],
    customers: [] as CustomerFacts[],
    numbers: undefined as NumberFacts | undefined,
  };
  const decisions: RouteDecision[] = [];
  if (!parsed.ok) {
    facts.errors = parsed.errors;
    return { facts, decisions };
  }
  const broken = schema(file, parsed.doc, facts);
  if (!broken) return { facts, decisions };
  const doc = parsed.doc as DialplanDoc;
  doc.customers?.forEach((customer, i) => {
    if (broken.has(`customers/${i}`)) return;
    const at = { file, path: ['customers', i] };
    const check = checkCustomer({ ...at, value: customer });
    const closed = closedDests(check.closed, { file, path: [...at.path, 'closed'] });
    facts.customers.push({ i, customer, issues: check.issues, closed });
  });
  const numbers = new NumbersReader(file, today);
  doc.numbers?.forEach((entry, i) => {
    if (!broken.has(`numbers/${i}`)) decisions.push(numbers.add(i, entry));
    else {
      // checked for everything else it may get wrong, but never routed
      const salvaged = salvageNumber(entry);
      if (salvaged) numbers.add(i, salvaged, true);
    }
  });
  facts.numbers = numbers.facts();
  return { facts, decisions };
}

/** Schema problems become issues; returns the `list/index` keys of entries left out, or undefined when the whole file is. */
function schema(
  file: string,
  doc: unknown,
  facts: { issues: Issue[]; brokenCustomerIds: string[] },
): Set<string> | undefined {
  const validate = schemaValidator(SCHEMA);
  const broken = new Set<string>();
  if (validate(doc)) return broken;
  let usable = doc !== null && typeof doc === 'object' && !Array.isArray(doc);
  for (const p of describeErrors(validate.errors)) {
    facts.issues.push({ file, path: p.path, message: withAdvice(doc, p), key: p.key });
    const [list, index] = p.path;
    if (typeof index === 'number') broken.add(`${String(list)}/${index}`);
    // a wrong version or unknown top-level key leaves the lists readable; a wrong list does not
    else if ((list === 'customers' || list === 'numbers') && p.path.length === 1) usable = false;
  }
  // a left-out customer must not turn into "not defined" wherever it is referenced
  (doc as DialplanDoc | null)?.customers?.forEach((c, i) => {
    if ((!usable || broken.has(`customers/${i}`)) && typeof c?.id === 'string')
      facts.brokenCustomerIds.push(c.id);
  });
  return usable ? broken : undefined;
}

/** Collects the facts of a file's number entries in growable arrays, then packs them. */
class NumbersReader {
  readonly #file: string;
  readonly #today: Date;
  #active = 0;
  readonly #values: number[] = [];
  readonly #owners: number[] = [];
  readonly #ownerIds: string[] = [];
  readonly #ownerSlot = new Map<string, number>();
  readonly #geo: number[] = [];
  readonly #geoKinds: Classification[] = [];
  readonly #geoSlot = new Map<string, number>();
  readonly #entryOf: number[] = [];
  readonly #hours: number[] = [];
  readonly #refs: NumberFacts['refs'] = [];
  readonly #dest = { slot: [] as number[], index: [] as number[], member: [] as number[] };
  readonly #destValue: number[] = [];
  readonly #closedDests: ClosedDest[] = [];
  readonly #issues: Issue[] = [];

  constructor(file: string, today: Date) {
    this.#file = file;
    this.#today = today;
  }

  /** `salvaged`: the schema refused the entry and its options were dropped; no hours rule applies. */
  add(i: number, entry: NumberDoc, salvaged = false): RouteDecision {
    const slot = this.#values.length;
    const path = ['numbers', i];
    const check = checkNumber({ file: this.#file, path, value: entry }, this.#today);
    for (const issue of check.issues) this.#issues.push(issue);
    const active = entry.status === 'active';
    if (active) this.#active++;
    this.#values.push(entry.number ? e164Value(entry.number) : 0);
    this.#owners.push(this.#ownerOf(entry.customer));
    const c = check.classification;
    this.#geo.push(active && c?.kind === 'geographic' ? this.#geoOf(c) : 0);
    this.#entryOf.push(i);
    for (const field of ['replaces', 'replacedBy'] as const) {
      const target = entry[field];
      if (target !== undefined)
        this.#refs.push({ slot, field, target: e164Value(target), text: target });
    }
    for (const { index, member, destination: d } of check.dialable) {
      if (d.type !== 'e164') continue;
      this.#dest.slot.push(slot);
      this.#dest.index.push(index);
      this.#dest.member.push(member);
      this.#destValue.push(e164Value(d.number));
    }
    this.#hours.push(active && !salvaged ? hoursBits(entry) : 0);
    const closedAt = { file: this.#file, path: [...path, 'options', 'closed'] };
    for (const d of closedDests(check.closed, closedAt)) this.#closedDests.push(d);
    return decide(
      entry,
      check.destinations.filter((d) => d !== undefined),
      check.closed?.routes.filter((d) => d !== undefined),
    );
  }

  facts(): NumberFacts {
    return {
      count: this.#values.length,
      active: this.#active,
      values: Float64Array.from(this.#values),
      owners: Uint32Array.from(this.#owners),
      ownerIds: this.#ownerIds,
      geo: Uint16Array.from(this.#geo),
      geoKinds: this.#geoKinds,
      entryOf: Uint32Array.from(this.#entryOf),
      hours: Uint8Array.from(this.#hours),
      refs: this.#refs,
      destSlot: Uint32Array.from(this.#dest.slot),
      destIndex: Uint32Array.from(this.#dest.index),
      destMember: Int32Array.from(this.#dest.member),
      destValue: Float64Array.from(this.#destValue),
      closedDests: this.#closedDests,
      issues: this.#issues,
    };
  }

  #ownerOf(id: string): number {
    let k = this.#ownerSlot.get(id);
    if (k === undefined) {
      k = this.#ownerIds.push(id) - 1;
      this.#ownerSlot.set(id, k);
    }
    return k;
  }

  /** One classification per area code: the seat rule compares only country and area code. */
  #geoOf(c: Classification): number {
    const key = `${c.country}:${c.areaCode}`;
    let k = this.#geoSlot.get(key);
    if (k === undefined) {
      k = this.#geoKinds.push(c);
      this.#geoSlot.set(key, k);
    }
    return k;
  }
}

/** A closed action's E.164 destinations (group members included), for the loop rule. */
function closedDests(closed: ClosedDestinations | undefined, at: Place): ClosedDest[] {
  const found: ClosedDest[] = [];
  for (const { index, member, destination: d } of closed?.dialable ?? []) {
    if (d.type !== 'e164') continue;
    const field = member < 0 ? ['to'] : ['ringAll', member];
    found.push({
      at: { file: at.file, path: [...at.path, 'destinations', index, ...field] },
      value: e164Value(d.number),
    });
  }
  return found;
}

const NUMBER_FIELDS: ReadonlySet<unknown> = new Set(['number', 'replaces', 'replacedBy']);

/** A number written as people write it (`+49 (0)30 …`): the message says what to write instead. */
function withAdvice(doc: unknown, p: SchemaProblem): string {
  if (p.key || p.path[0] !== 'numbers' || !NUMBER_FIELDS.has(p.path.at(-1))) return p.message;
  let value: unknown = doc;
  for (const k of p.path) value = (value as Record<string | number, unknown> | undefined)?.[k];
  const advice = typeof value === 'string' ? spellingAdvice(value) : undefined;
  return advice ? `${p.message}; ${advice}` : p.message;
}
