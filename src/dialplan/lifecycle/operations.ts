/**
 * The number lifecycle of seed 000 as edits of the dialplan files: deactivate, replace (address
 * change), end a contract. Each operation validates the whole resulting set and writes nothing
 * when the result would be invalid.
 */
import { isMap, type YAMLMap } from 'yaml';
import { formatDate } from '../dates.js';
import { commit, type EditableSet, findNumber, markChanged, numbersOf } from './documents.js';
import { LifecycleError } from './lifecycle-error.js';

export type OperationResult = { changedNumbers: string[]; files: string[] };

export function deactivate(set: EditableSet, number: string, now: Date): Promise<OperationResult> {
  return deactivateMany(set, [number], now);
}

/** One check and one write for all of them: either every number is deactivated or none is. */
export async function deactivateMany(
  set: EditableSet,
  numbers: readonly string[],
  now: Date,
): Promise<OperationResult> {
  for (const number of numbers) {
    const found = findNumber(set, number);
    if (!found) throw new LifecycleError(`${number} is not in any dialplan file`);
    assertActive(found.node, number);
    setDeactivated(found.node, now);
    markChanged(set, found.file);
  }
  return { changedNumbers: [...numbers], files: await commit(set, now) };
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
  const found = findNumber(set, oldNumber);
  if (!found) throw new LifecycleError(`${oldNumber} is not in any dialplan file`);
  if (findNumber(set, newNumber))
    throw new LifecycleError(
      `${newNumber} is already in a dialplan file; a replacement must be a new number`,
    );
  assertActive(found.node, oldNumber);
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
  return { changedNumbers: [oldNumber, newNumber], files: await commit(set, now) };
}

export async function endContract(
  set: EditableSet,
  customerId: string,
  now: Date,
): Promise<OperationResult> {
  const changed: string[] = [];
  let known = false;
  for (const file of set.files) {
    for (const node of numbersOf(file)?.items ?? []) {
      if (!isMap(node) || node.get('customer') !== customerId) continue;
      known = true;
      if (node.get('status') !== 'active') continue;
      setDeactivated(node, now);
      changed.push(String(node.get('number')));
      markChanged(set, file);
    }
  }
  if (!known && !customerExists(set, customerId))
    throw new LifecycleError(`customer '${customerId}' is not in any dialplan file`);
  return { changedNumbers: changed, files: await commit(set, now) };
}

function customerExists(set: EditableSet, id: string): boolean {
  return set.files.some((f) => {
    const list = f.doc.get('customers', true) as { items?: unknown[] } | undefined;
    return (list?.items ?? []).some((c) => isMap(c) && c.get('id') === id);
  });
}

function assertActive(node: YAMLMap, number: string): void {
  if (node.get('status') !== 'active') {
    throw new LifecycleError(
      `${number} is already deactivated (since ${String(node.get('deactivatedAt'))})`,
    );
  }
}

function setDeactivated(node: YAMLMap, now: Date): void {
  node.set('status', 'deactivated');
  node.set('deactivatedAt', formatDate(now));
}
