/**
 * Decisions + an instant → CallPlans. Decisions stay plain data (they cross from the reload
 * worker as JSON); what evaluating hours needs is compiled here, on the thread that routes, on
 * first use: once per customer for the numbers that follow it, once per number with hours or a
 * closed action of its own; numbers and customers with equal hours share one Schedule.
 */
import type { BusinessHoursDoc, ClosedActionDoc, CustomerDoc } from '../dialplan/types.js';
import { effectiveHours, Schedule } from '../hours/schedule.js';
import type { ForwardDecision } from './decision.js';
import { parseRoutes, type Route } from './destination.js';
import type { CallPlan, ClosedAction } from './plan.js';

const REFUSE: ClosedAction = Object.freeze({ kind: 'refuse' });

/** What decides a number's plan: its schedule (none: nothing closes it) and closed action. */
export type Rules = {
  readonly schedule: Schedule | undefined;
  readonly action: ClosedAction;
  /** Small and dense (0 for NO_RULES), so a table can note a number's rules in a typed array. */
  readonly id: number;
};

type CustomerPart = {
  readonly doc: CustomerDoc;
  readonly action: ClosedAction | undefined;
  /** The rules of its numbers without hours or a closed action of their own, made on first use. */
  rules?: Rules;
};

/** A closed action as the call path takes it; `destinations` are the parsed ones, if any. */
export function closedAction(
  doc: ClosedActionDoc | undefined,
  destinations: readonly Route[] | undefined,
): ClosedAction {
  switch (doc?.action) {
    case undefined:
    case 'refuse':
      return REFUSE;
    case 'voicemail':
      return Object.freeze({ kind: 'voicemail' });
    case 'announcement':
      return Object.freeze({
        kind: 'announcement',
        prompt: Object.freeze(doc.file !== undefined ? { file: doc.file } : { tone: doc.tone! }),
      });
    case 'destinations':
      return Object.freeze({
        kind: 'destinations',
        destinations: Object.freeze([...(destinations ?? [])]),
      });
  }
}

export class Planner {
  readonly #customers = new Map<string, CustomerPart>();
  /** Only numbers with hours or a closed action of their own: the others share their customer's. */
  readonly #own = new WeakMap<ForwardDecision, Rules>();
  readonly #schedules = new Map<string, Schedule>();
  readonly #byId: Rules[] = [NO_RULES];
  readonly #rulesByKey = new Map<string, Rules>();

  constructor(customers: Iterable<CustomerDoc>) {
    for (const doc of customers) {
      const closed = doc.closed;
      const action =
        closed &&
        closedAction(
          closed,
          closed.action === 'destinations' ? parseRoutes(closed.destinations) : undefined,
        );
      this.#customers.set(doc.id, { doc, action });
    }
  }

  plan(decision: ForwardDecision, atMs: number, rules = this.rules(decision)): CallPlan {
    const { schedule, action } = rules;
    const destinations = decision.destinations;
    if (!schedule) return { open: true, destinations };
    const status = schedule.status(atMs);
    if (!status.open) return { open: false, why: status.why, action };
    return status.rule < 0
      ? { open: true, destinations }
      : { open: true, destinations, rule: schedule.rules[status.rule]! };
  }

  /** The schedule a number follows (undefined when nothing closes it) and its closed action. */
  rules(decision: ForwardDecision): Rules {
    const { businessHours, closed } = decision.options;
    const customer = this.#customers.get(decision.customerId);
    if (businessHours === undefined && closed === undefined) {
      if (!customer) return NO_RULES;
      customer.rules ??= this.#rules(undefined, customer, customer.action);
      return customer.rules;
    }
    let rules = this.#own.get(decision);
    if (!rules) {
      const action = closed ? closedAction(closed, decision.closedDestinations) : customer?.action;
      rules = this.#rules(businessHours, customer, action);
      this.#own.set(decision, rules);
    }
    return rules;
  }

  #rules(
    own: BusinessHoursDoc | undefined,
    customer: CustomerPart | undefined,
    action: ClosedAction | undefined,
  ): Rules {
    const hours = effectiveHours(own, customer?.doc.businessHours);
    if (!hours) return NO_RULES;
    // numbers and customers with equal hours share one compiled schedule, and with an equal
    // closed action one Rules
    const hoursKey = JSON.stringify(hours);
    let schedule = this.#schedules.get(hoursKey);
    if (!schedule) {
      schedule = new Schedule(hours);
      this.#schedules.set(hoursKey, schedule);
    }
    const closed = action ?? REFUSE;
    const key = `${hoursKey}\n${JSON.stringify(closed)}`;
    let rules = this.#rulesByKey.get(key);
    if (!rules) {
      rules = Object.freeze({ schedule, action: closed, id: this.#byId.length });
      this.#byId.push(rules);
      this.#rulesByKey.set(key, rules);
    }
    return rules;
  }

  byId(id: number): Rules {
    return this.#byId[id]!;
  }
}

const NO_RULES: Rules = Object.freeze({ schedule: undefined, action: REFUSE, id: 0 });
