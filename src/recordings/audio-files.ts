/**
 * Audio FreeSWITCH writes for a call (a recording, a voicemail message) and the JSON note the
 * gateway keeps beside it: both named by the call's record id, in a directory FreeSWITCH and the
 * gateway share.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

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
  const path = notePath(dir, recordId);
  await writeFile(`${path}.tmp`, `${JSON.stringify(note)}\n`);
  await rename(`${path}.tmp`, path);
}
