/**
 * Audio FreeSWITCH writes for a call (a recording, a voicemail message) and the JSON note the
 * gateway keeps beside it: both named by the call's record id, in a directory FreeSWITCH and the
 * gateway share.
 */
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { writeAtomically } from '../files/write-atomically.js';

export function audioFile(recordId: string): string {
  return `${recordId}.wav`;
}

/** Absolute: FreeSWITCH would resolve a relative path against its own directory. */
export function audioPath(dir: string, recordId: string): string {
  return resolve(dir, audioFile(recordId));
}

export function notePath(dir: string, recordId: string): string {
  return join(dir, `${recordId}.json`);
}

/** Written atomically: a crash never leaves half a note, which would strand its audio. */
export async function writeNote(dir: string, recordId: string, note: object): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeAtomically(notePath(dir, recordId), `${JSON.stringify(note)}\n`);
}

/** Record ids of every note in the directory, in name order; none when it does not exist. */
export async function listNotes(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir))
      .filter((n) => n.endsWith('.json'))
      .map((n) => n.slice(0, -'.json'.length))
      .sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/**
 * The audio first, then its note: a crash in between leaves a note without audio, which the next
 * pass clears; never audio without a note, which nothing would ever find.
 */
export async function removeAudio(dir: string, recordId: string): Promise<void> {
  await rm(audioPath(dir, recordId), { force: true });
  await rm(notePath(dir, recordId), { force: true });
}
