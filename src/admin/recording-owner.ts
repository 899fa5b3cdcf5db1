/**
 * Whose a recording is, from its sidecar (`<recordId>.json` beside the WAV): the customer noted
 * when it was recorded, or, for sidecars older than that note, the customer the tracking number
 * belongs to in the current table. A recording without a readable sidecar belongs to nobody a
 * customer token could be: only admin, editor and viewer may fetch it.
 */
import { readFile } from 'node:fs/promises';
import { notePath } from '../recordings/audio-files.js';
import type { RecordingMeta } from '../recordings/store.js';
import type { RouteTable } from '../routing/route-table.js';

/** The owning customer's id, or undefined when it cannot be told. */
export async function recordingOwner(
  dir: string,
  recordId: string,
  table: RouteTable,
): Promise<string | undefined> {
  let meta: Partial<RecordingMeta>;
  try {
    meta = JSON.parse(await readFile(notePath(dir, recordId), 'utf8')) as Partial<RecordingMeta>;
  } catch {
    return undefined;
  }
  if (typeof meta.customer === 'string' && meta.customer) return meta.customer;
  if (typeof meta.trackingNumber !== 'string') return undefined;
  const decision = table.lookup(meta.trackingNumber);
  return decision.kind === 'forward' ? decision.customerId : decision.customerId || undefined;
}
