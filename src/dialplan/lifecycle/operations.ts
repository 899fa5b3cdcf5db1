/**
 * The number lifecycle of seed 000 as edits of the dialplan files: deactivate, replace (address
 * change), end a contract. The `edit…` functions change the documents only; the CLI's operations
 * then check the whole resulting set and write (`commit`), the admin API's store does the same
 * under its version check. Either way nothing is written when the result would be invalid.
 */
import { isMap, type YAMLMap } from 'yaml';
import { formatDate } from '../dates.js';
import type { OnLoadProgress } from '../load.js';
import {
  commit,
  customerNumbers,
  type EditableSet,
  findCustomer,
  findNumber,
  markChanged,
  type NumberNode,
} from './documents.js';
import { LifecycleError } from './lifecycle-error.js';

export type OperationResult = { changedNumbers: string[]; files: string[] };

/** What an edit changed: the numbers, and each entry it touched (before and after). */
export type EditResult = { changedNumbers: string[]; entries: EditedEntry[] };
export type EditedEntry = { at: NumberNode; before?: unknown; after?: unknown };

export function deactivate(set: EditableSet, number: string, now: Date): Promise<OperationResult> {
  return deactivateMany(set, [number], now);
}

/** For a progress display of a long change: each number edited, then the check of the set. */
export type ChangeProgress = {
  edited?: (done: number, total: number) => void;
  checking?: OnLoadProgress;
};

/** One check and one write for all of them: either every number is deactivated or none is. */
export async function deactivateMany(
  set: EditableSet,
  numbers: readonly string[],
  now: Date,
  progress: ChangeProgress = {},
): Promise<OperationResult> {
  const { changedNumbers } = editDeactivate(set, numbers, now, progress.edited);
  return { changedNumbers, files: await commit(set, now, progress.checking) };
}

export function editDeactivate(
  set: EditableSet,
  numbers: readonly string[],
  now: Date,
  edited?: (done: number, total: number) => void,
): EditResult {
  const entries: EditedEntry[] = [];
  for (const number of numbers) {
    const found = findNumber(set, number);
    if (!found) throw new LifecycleError(`${number} is not in any dialplan file`, [], 'not-found');
    assertActive(found.node, number);
    const before = found.node.toJSON();
    setDeactivated(found.node, now);
    markChanged(set, found.file);
    entries.push({ at: found, before, after: found.node.toJSON() });
    edited?.(entries.length, numbers.length);
  }
  return { changedNumbers: [...numbers], entries };
}

export type ReplaceOptions = { source?: string };

/**
 * Address change: the new number takes over the old one's customer, source, destinations and
 * options, is written right after it, and both change in one file write.
 */
export async function replace(
  set: EditableSet,
  oldNumber: string,
  newNumber: string,
  now: Date,
  options: ReplaceOptions = {},
): Promise<OperationResult> {
  const { changedNumbers } = editReplace(set, oldNumber, newNumber, now, options);
  return { changedNumbers, files: await commit(set, now) };
}

export function editReplace(
  set: EditableSet,
  oldNumber: string,
  newNumber: string,
  now: Date,
  options: ReplaceOptions = {},
): EditResult {
  // the new number first: a search may open a whole file, which takes in earlier finds' edits
  if (findNumber(set, newNumber))
    throw new LifecycleError(
      `${newNumber} is already in a dialplan file; a replacement must be a new number`,
      [],
      'conflict',
    );
  const found = findNumber(set, oldNumber);
  if (!found) throw new LifecycleError(`${oldNumber} is not in any dialplan file`, [], 'not-found');
  assertActive(found.node, oldNumber);
  const before = found.node.toJSON();
  const fresh = found.node.clone() as YAMLMap;
  fresh.commentBefore = null;
  fresh.set('number', newNumber);
  fresh.set('status', 'active');
  fresh.set('activatedAt', formatDate(now));
  fresh.delete('deactivatedAt');
  fresh.delete('replacedBy');
  fresh.set('replaces', oldNumber);
  if (options.source) fresh.set('source', options.source);
  setDeactivated(found.node, now);
  found.node.set('replacedBy', newNumber);
  found.seq.items.splice(found.index + 1, 0, fresh);
  markChanged(set, found.file);
  const created = { ...found, index: found.index + 1, node: fresh };
  return {
    changedNumbers: [oldNumber, newNumber],
    entries: [
      { at: found, before, after: found.node.toJSON() },
      { at: created, after: fresh.toJSON() },
    ],
  };
}

export async function endContract(
  set: EditableSet,
  customerId: string,
  now: Date,
): Promise<OperationResult> {
  const { changedNumbers } = editEndContract(set, customerId, now);
  return { changedNumbers, files: await commit(set, now) };
}

export function editEndContract(set: EditableSet, customerId: string, now: Date): EditResult {
  const numbers = customerNumbers(set, customerId);
  if (numbers.length === 0 && !findCustomer(set, customerId))
    throw new LifecycleError(
      `customer '${customerId}' is not in any dialplan file`,
      [],
      'not-found',
    );
  const result: EditResult = { changedNumbers: [], entries: [] };
  for (const at of numbers) {
    if (!isMap(at.node) || at.node.get('status') !== 'active') continue;
    const before = at.node.toJSON();
    setDeactivated(at.node, now);
    result.changedNumbers.push(String(at.node.get('number')));
    result.entries.push({ at, before, after: at.node.toJSON() });
    markChanged(set, at.file);
  }
  return result;
}

function assertActive(node: YAMLMap, number: string): void {
  if (node.get('status') !== 'active') {
    throw new LifecycleError(
      `${number} is already deactivated (since ${String(node.get('deactivatedAt'))})`,
      [],
      'conflict',
    );
  }
}

function setDeactivated(node: YAMLMap, now: Date): void {
  node.set('status', 'deactivated');
  node.set('deactivatedAt', formatDate(now));
}
