/**
 * Numbers the provider may reclaim: active, and no call for 12 months. A number never called
 * counts from its activation; one with neither a call nor an activation date cannot be judged
 * and is listed apart rather than guessed.
 */
import { isMap } from 'yaml';
import { addMonths, dayOf, formatDate, parseDate } from '../dates.js';
import { type EditableSet, numbersOf } from './documents.js';

export const RECLAIM_MONTHS = 12;

export type Reclaimable = {
  number: string;
  customer: string;
  source: string;
  idleSince: string;
  basis: 'last-call' | 'activation';
};
export type ReclaimReport = { reclaimable: Reclaimable[]; undetermined: string[] };

export function reclaimable(
  set: EditableSet,
  lastCalls: ReadonlyMap<string, Date>,
  now: Date,
): ReclaimReport {
  const today = dayOf(now);
  const out: ReclaimReport = { reclaimable: [], undetermined: [] };
  for (const file of set.files) {
    for (const node of numbersOf(file)?.items ?? []) {
      if (!isMap(node) || node.get('status') !== 'active') continue;
      const number = String(node.get('number'));
      const lastCall = lastCalls.get(number);
      const activated = parseDate(String(node.get('activatedAt') ?? ''));
      // calls from before a (re)activation belong to an earlier tenure of the number
      const since =
        lastCall && activated && activated > lastCall ? activated : (lastCall ?? activated);
      if (!since) {
        out.undetermined.push(number);
        continue;
      }
      if (addMonths(dayOf(since), RECLAIM_MONTHS) > today) continue;
      out.reclaimable.push({
        number,
        customer: String(node.get('customer')),
        source: String(node.get('source')),
        idleSince: formatDate(since),
        basis: since === lastCall ? 'last-call' : 'activation',
      });
    }
  }
  return out;
}
