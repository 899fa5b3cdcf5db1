/**
 * Builds a checked dialplan set one file at a time. Each file's document is dropped as soon as
 * its decisions are made (a caller may hand them on at once); only what the cross-file rules need
 * is kept. `finish` runs those rules and either summarises the set or lists every problem with
 * file, line and column.
 */
import { e164Value, spellingAdvice } from '../numbering/normalise.js';
import type { RouteDecision } from '../routing/decision.js';
import type { NumberIndex } from '../routing/number-index.js';
import { describeErrors, type SchemaProblem, schemaValidator } from '../schema/ajv.js';
import { decide } from './compile.js';
import { dayOf } from './dates.js';
import { type ClosedDestinations, checkCustomer, checkNumber } from './entry-rules.js';
import { byPosition, type DialplanError } from './errors.js';
import { locateAll } from './locate.js';
import { parseYaml } from './parse.js';
import { salvageNumber, UNREADABLE_CUSTOMER } from './salvage.js';
import { checkSet } from './set-rules.js';
import { hoursBits, SetState } from './set-state.js';
import type { CustomerDoc, DialplanDoc, Issue, NumberDoc, Place } from './types.js';
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

const SCHEMA = 'dialplan.schema.json';

export class SetBuilder {
  readonly #state = new SetState();
  readonly #issues: Issue[] = [];
  readonly #errors: DialplanError[] = [];
  readonly #version = new SetVersion();
  readonly #today: Date;
  #active = 0;

  constructor(now: Date) {
    this.#today = dayOf(now);
    this.#state.brokenCustomerIds.add(UNREADABLE_CUSTOMER);
  }

  /** Checks one file; returns the decisions of its numbers, in the order of their index slots. */
  addFile(file: string, text: string): RouteDecision[] {
    this.#version.add(file, text);
    this.#state.files.push(file);
    const parsed = parseYaml(file, text);
    if (!parsed.ok) {
      this.#errors.push(...parsed.errors);
      return [];
    }
    const broken = this.#schema(file, parsed.doc);
    if (!broken) return [];
    const doc = parsed.doc as DialplanDoc;
    doc.customers?.forEach((customer, i) => {
      if (!broken.has(`customers/${i}`)) this.#addCustomer(file, i, customer);
    });
    const decisions: RouteDecision[] = [];
    doc.numbers?.forEach((entry, i) => {
      if (!broken.has(`numbers/${i}`)) decisions.push(this.#addNumber(i, entry));
      else {
        // checked for everything else it may get wrong, but never routed
        const salvaged = salvageNumber(entry);
        if (salvaged) this.#addNumber(i, salvaged, true);
      }
    });
    return decisions;
  }

  finish(textOf: (file: string) => string): BuildResult {
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
      deactivatedNumbers: state.values.length - this.#active,
    };
    return { ok: true, summary, index };
  }

  /** Schema problems become issues; returns the `list/index` keys of entries left out, or undefined when the whole file is. */
  #schema(file: string, doc: unknown): Set<string> | undefined {
    const validate = schemaValidator(SCHEMA);
    const broken = new Set<string>();
    if (validate(doc)) return broken;
    let usable = doc !== null && typeof doc === 'object' && !Array.isArray(doc);
    for (const p of describeErrors(validate.errors)) {
      this.#issues.push({ file, path: p.path, message: withAdvice(doc, p), key: p.key });
      const [list, index] = p.path;
      if (typeof index === 'number') broken.add(`${String(list)}/${index}`);
      // a wrong version or unknown top-level key leaves the lists readable; a wrong list does not
      else if ((list === 'customers' || list === 'numbers') && p.path.length === 1) usable = false;
    }
    // a left-out customer must not turn into "not defined" wherever it is referenced
    (doc as DialplanDoc | null)?.customers?.forEach((c, i) => {
      if ((!usable || broken.has(`customers/${i}`)) && typeof c?.id === 'string')
        this.#state.brokenCustomerIds.add(c.id);
    });
    return usable ? broken : undefined;
  }

  #addCustomer(file: string, i: number, customer: CustomerDoc): void {
    const at = { file, path: ['customers', i] };
    const first = this.#state.customers.get(customer.id);
    if (first) {
      this.#issues.push({
        file,
        path: [...at.path, 'id'],
        related: first,
        message: `customer '${customer.id}' is already defined at {related}`,
      });
      return;
    }
    this.#state.customers.set(customer.id, { ...at, customer });
    const check = checkCustomer({ ...at, value: customer });
    this.#issues.push(...check.issues);
    this.#closedDests(check.closed, { file, path: [...at.path, 'closed'] });
  }

  /** `salvaged`: the schema refused the entry and its options were dropped; no hours rule applies. */
  #addNumber(i: number, entry: NumberDoc, salvaged = false): RouteDecision {
    const state = this.#state;
    const slot = state.values.length;
    const check = checkNumber(
      { file: state.files.at(-1)!, path: ['numbers', i], value: entry },
      this.#today,
    );
    this.#issues.push(...check.issues);
    const active = entry.status === 'active';
    if (active) this.#active++;
    state.values.push(entry.number ? e164Value(entry.number) : 0);
    state.owners.push(state.customerSlot(entry.customer));
    state.geo.push(
      active && check.classification?.kind === 'geographic' ? check.classification : null,
    );
    state.fileOf.push(state.files.length - 1);
    state.entryOf.push(i);
    for (const field of ['replaces', 'replacedBy'] as const) {
      const target = entry[field];
      if (target !== undefined)
        state.refs.push({ slot, field, target: e164Value(target), text: target });
    }
    for (const { index, member, destination: d } of check.dialable) {
      if (d.type !== 'e164') continue;
      state.destSlot.push(slot);
      state.destIndex.push(index);
      state.destMember.push(member);
      state.destValue.push(e164Value(d.number));
    }
    state.hours.push(active && !salvaged ? hoursBits(entry) : 0);
    this.#closedDests(check.closed, state.placeOf(slot, 'options', 'closed'));
    return decide(
      entry,
      check.destinations.filter((d) => d !== undefined),
      check.closed?.routes.filter((d) => d !== undefined),
    );
  }

  /** A closed action's E.164 destinations (group members included), for the loop rule. */
  #closedDests(closed: ClosedDestinations | undefined, at: Place): void {
    for (const { index, member, destination: d } of closed?.dialable ?? []) {
      if (d.type !== 'e164') continue;
      const field = member < 0 ? ['to'] : ['ringAll', member];
      this.#state.closedDests.push({
        at: { file: at.file, path: [...at.path, 'destinations', index, ...field] },
        value: e164Value(d.number),
      });
    }
  }
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
