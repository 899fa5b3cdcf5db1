/**
 * Call recordings on disk: `<recordId>.wav`, written by FreeSWITCH (record_session) into
 * RECORDING_DIR, and beside it a small sidecar `<recordId>.json` the gateway writes when the
 * recording starts: tracking number, retention days and start time. The sweeper needs nothing
 * else: a dialplan changed later does not shorten or extend a recording's retention, and a
 * recording whose sidecar is missing or unreadable is kept (and reported), never guessed at.
 */
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { audioFile, writeNote } from './audio-files.js';

const DAY_MS = 86_400_000;

export type RecordingMeta = {
  recordId: string;
  trackingNumber: string;
  retentionDays: number;
  startedAt: string;
};

export async function writeSidecar(dir: string, meta: RecordingMeta): Promise<void> {
  await writeNote(dir, meta.recordId, meta);
}

export type PurgeResult = {
  /** Recording files (and their sidecars) deleted. */
  deleted: string[];
  kept: number;
  /** Sidecars that could not be read: their recordings stay. */
  problems: string[];
};

/** Deletes every recording older than its retention days at `now` (ms). */
export async function purgeRecordings(dir: string, now: number): Promise<PurgeResult> {
  const result: PurgeResult = { deleted: [], kept: 0, problems: [] };
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return result;
    throw err;
  }
  for (const name of names.filter((n) => n.endsWith('.json')).sort()) {
    const id = name.slice(0, -'.json'.length);
    let meta: RecordingMeta;
    try {
      meta = JSON.parse(await readFile(join(dir, name), 'utf8')) as RecordingMeta;
      if (!Number.isInteger(meta.retentionDays) || Number.isNaN(Date.parse(meta.startedAt)))
        throw new Error('retentionDays or startedAt missing');
    } catch (err) {
      result.problems.push(`${name}: ${(err as Error).message}`);
      continue;
    }
    if (now - Date.parse(meta.startedAt) < meta.retentionDays * DAY_MS) {
      result.kept++;
      continue;
    }
    // the recording first: a sidecar without recording is retried and removed on the next run
    await rm(join(dir, audioFile(id)), { force: true });
    await rm(join(dir, name), { force: true });
    result.deleted.push(audioFile(id));
  }
  return result;
}
