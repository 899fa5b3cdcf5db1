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

export function decide(entry: NumberDoc, destinations: readonly Route[]): RouteDecision {
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
    customerId: entry.customer,
    source: entry.source,
    destinations: Object.freeze(destinations),
    options: entry.options ? deepFreeze(entry.options) : NO_OPTIONS,
  };
  return Object.freeze(forward);
}
