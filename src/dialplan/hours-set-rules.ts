/**
 * Hours rules that need the number's customer (which may be in a later file): a timezone known
 * wherever hours apply, and a voicemail for a number that takes its customer's closed action
 * `voicemail`.
 */
import {
  HOURS_OWN,
  HOURS_OWN_CLOSED,
  HOURS_OWN_CLOSES,
  HOURS_OWN_TIMEZONE,
  HOURS_ROUTED,
  HOURS_VOICEMAIL,
  hoursClose,
  type SetState,
} from './set-state.js';
import type { Issue } from './types.js';

export function checkHoursSet(state: SetState, issues: Issue[]): void {
  for (let slot = 0; slot < state.hours.length; slot++) {
    const bits = state.hours[slot]!;
    if (!(bits & HOURS_ROUTED)) continue;
    const id = state.customerId(state.owners[slot]!);
    // an undefined customer is reported by the owner rule
    const customer = state.customers.get(id);
    if (!customer) continue;
    const theirs = customer.customer.businessHours;
    if (bits & HOURS_OWN && !(bits & HOURS_OWN_TIMEZONE) && theirs?.timezone === undefined) {
      issues.push({
        ...state.placeOf(slot, 'options', 'businessHours'),
        message: `businessHours has no timezone, and customer '${id}' has no businessHours to take it from: add timezone (e.g. Europe/Berlin)`,
      });
    }
    const closes = bits & HOURS_OWN_CLOSES || (theirs !== undefined && hoursClose(theirs));
    if (
      closes &&
      !(bits & (HOURS_OWN_CLOSED | HOURS_VOICEMAIL)) &&
      customer.customer.closed?.action === 'voicemail'
    ) {
      issues.push({
        ...state.placeOf(slot, 'number'),
        related: { file: customer.file, path: [...customer.path, 'closed', 'action'] },
        message: `+${state.values[slot]} takes the closed action voicemail of customer '${id}' ({related}) but has no options.voicemail: give it one, or its own options.closed`,
      });
    }
  }
}
