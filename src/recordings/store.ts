/**
 * Call recordings on disk: `<recordId>.wav`, written by FreeSWITCH (record_session) into
 * RECORDING_DIR, and beside it a small sidecar `<recordId>.json` the gateway writes when the
 * recording starts: tracking number, retention days and start time. The sweeper needs nothing
 * else: a dialplan changed later does not shorten or extend a recording's retention, and a
 * recording whose sidecar is missing or unreadable is kept (and reported), never guessed at.
 */
import { readFile } from 'node:fs/promises';
import { audioFile, listNotes, notePath, removeAudio, writeNote } from './audio-files.js';

const DAY_MS = 86_400_000;

export type RecordingMeta = {
  recordId: string;
  trackingNumber: string;
  /**
   * The customer the number belonged to when the call was recorded: whose download it is, even
   * after the number moved on. Absent in sidecars written before downloads existed.
   */
  customer?: string;
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
  for (const id of await listNotes(dir)) {
    const name = `${id}.json`;
    let meta: RecordingMeta;
    try {
      meta = JSON.parse(await readFile(notePath(dir, id), 'utf8')) as RecordingMeta;
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
    await removeAudio(dir, id);
    result.deleted.push(audioFile(id));
  }
  return result;
}
