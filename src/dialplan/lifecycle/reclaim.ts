/**
 * Numbers the provider may reclaim: active, and no call for 12 months. A number never called
 * counts from its activation; one with neither a call nor an activation date cannot be judged
 * and is listed apart rather than guessed. Read from the plain documents (the fast parser):
 * nothing is edited, so no file needs to be a `yaml` Document.
 */
import { addMonths, dayOf, formatDate, parseDate } from '../dates.js';
import type { SourceText } from '../load.js';
import { parseYaml } from '../parse.js';
import type { DialplanDoc, NumberDoc } from '../types.js';

export const RECLAIM_MONTHS = 12;

export type Reclaimable = {
  number: string;
  customer: string;
  source: string;
  idleSince: string;
  basis: 'last-call' | 'activation';
};
export type ReclaimReport = { reclaimable: Reclaimable[]; undetermined: string[] };

/** The number entries of the texts, in load order (files that do not parse have none). */
export function* numberEntries(sources: readonly SourceText[]): Generator<NumberDoc> {
  for (const { file, text } of sources) {
    const parsed = parseYaml(file, text);
    const numbers = parsed.ok ? (parsed.doc as DialplanDoc | null)?.numbers : undefined;
    if (Array.isArray(numbers)) yield* numbers;
  }
}

export function reclaimable(
  entries: Iterable<NumberDoc>,
  lastCalls: ReadonlyMap<string, Date>,
  now: Date,
): ReclaimReport {
  const today = dayOf(now);
  const out: ReclaimReport = { reclaimable: [], undetermined: [] };
  for (const entry of entries) {
    if (entry?.status !== 'active') continue;
    const number = String(entry.number);
    const lastCall = lastCalls.get(number);
    const activated = parseDate(String(entry.activatedAt ?? ''));
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
      customer: String(entry.customer),
      source: String(entry.source),
      idleSince: formatDate(since),
      basis: since === lastCall ? 'last-call' : 'activation',
    });
  }
  return out;
}
