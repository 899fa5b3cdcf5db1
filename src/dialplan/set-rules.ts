/**
 * The domain rules that need every file at once: one owner per number, a geographic number in
 * its customer's seat area code, references that resolve within the same customer, and no
 * destination that is itself a tracking number (the call would loop through the gateway; closed
 * actions' destinations included), and the hours rules that need the customer.
 */
import { NumberIndex } from '../routing/number-index.js';
import { checkHoursSet } from './hours-set-rules.js';
import type { SetState } from './set-state.js';
import type { Issue } from './types.js';

export function checkSet(state: SetState): { issues: Issue[]; index: NumberIndex } {
  const issues: Issue[] = [];
  const index = NumberIndex.build(state.values, (slot, first) =>
    issues.push(duplicate(state, slot, first)),
  );
  for (let slot = 0; slot < state.values.length; slot++) checkOwner(state, slot, issues);
  for (const ref of state.refs) {
    const target = index.get(ref.target);
    const at = state.placeOf(ref.slot, ref.field);
    if (target < 0)
      issues.push({
        ...at,
        message: `${ref.field} ${ref.text} is not defined in any dialplan file`,
      });
    else if (state.owners[target] !== state.owners[ref.slot]) {
      const owner = state.customerId(state.owners[target]!);
      issues.push({
        ...at,
        related: state.placeOf(target),
        message: `${ref.field} ${ref.text} belongs to customer '${owner}' ({related}); a replacement stays with the same customer`,
      });
    }
  }
  for (let d = 0; d < state.destValue.length; d++) {
    if (index.get(state.destValue[d]!) < 0) continue;
    const member = state.destMember[d]!;
    const at = state.placeOf(
      state.destSlot[d]!,
      'destinations',
      state.destIndex[d]!,
      ...(member < 0 ? ['to'] : ['ringAll', member]),
    );
    issues.push({
      ...at,
      message: loopMessage(state.destValue[d]!),
    });
  }
  for (const { at, value } of state.closedDests)
    if (index.get(value) >= 0) issues.push({ ...at, message: loopMessage(value) });
  checkHoursSet(state, issues);
  return { issues, index };
}

function loopMessage(value: number): string {
  return `destination +${value} is itself a tracking number; the call would loop through the gateway`;
}

function duplicate(state: SetState, slot: number, first: number): Issue {
  const number = `+${state.values[slot]}`;
  const owner = state.customerId(state.owners[first]!);
  const message =
    state.owners[first] === state.owners[slot]
      ? `${number} is already defined at {related}: one entry per number`
      : `${number} already belongs to customer '${owner}' at {related}: a number belongs to one customer`;
  return { ...state.placeOf(slot, 'number'), related: state.placeOf(first), message };
}

function checkOwner(state: SetState, slot: number, issues: Issue[]): void {
  const id = state.customerId(state.owners[slot]!);
  const customer = state.customers.get(id);
  if (!customer) {
    if (!state.brokenCustomerIds.has(id)) {
      issues.push({
        ...state.placeOf(slot, 'customer'),
        message: `customer '${id}' is not defined in any dialplan file`,
      });
    }
    return;
  }
  const geo = state.geoOf(slot);
  const seat = customer.customer.seat;
  if (!geo || (geo.country === seat.country && geo.areaCode === seat.areaCode)) return;
  issues.push({
    ...state.placeOf(slot, 'number'),
    message: `+${state.values[slot]} is in area code 0${geo.areaCode} (${geo.country}), but customer '${id}' has its seat in area code 0${seat.areaCode} (${seat.country}): a geographic number must lie in the seat's area code`,
  });
}
