/**
 * One checked dialplan entry → its frozen route decision. Customer names are not copied into
 * each decision: the table keeps one record per customer.
 */
import type { ForwardDecision, RouteDecision } from '../routing/decision.js';
import type { Route } from '../routing/destination.js';
import { reject } from '../routing/route-table.js';
import { deepFreeze } from '../util/freeze.js';
import type { NumberDoc, NumberOptions } from './types.js';

const NO_OPTIONS: Readonly<NumberOptions> = Object.freeze({});

const customerIds = new Map<string, string>();

/**
 * One string per customer id, shared by all its decisions: the planner finds a number's customer
 * by its id on every call, and a string the CPU has just read for the previous call is in its
 * cache, where a million separate copies are not (and cost a million strings' memory).
 */
export function sharedCustomerId(id: string): string {
  const shared = customerIds.get(id);
  if (shared !== undefined) return shared;
  customerIds.set(id, id);
  return id;
}

export function decide(
  entry: NumberDoc,
  destinations: readonly Route[],
  closedDestinations?: readonly Route[],
): RouteDecision {
  if (entry.status === 'deactivated') {
    return reject('deactivated', {
      number: entry.number,
      customerId: entry.customer,
      source: entry.source,
      ...(entry.deactivatedAt && { deactivatedAt: entry.deactivatedAt }),
      ...(entry.replacedBy && { replacedBy: entry.replacedBy }),
    });
  }
  const forward: ForwardDecision = {
    kind: 'forward',
    number: entry.number,
    customerId: sharedCustomerId(entry.customer),
    source: entry.source,
    destinations: Object.freeze(destinations),
    options: entry.options ? deepFreeze(entry.options) : NO_OPTIONS,
    ...(closedDestinations && { closedDestinations: Object.freeze(closedDestinations) }),
  };
  return Object.freeze(forward);
}
