/**
 * Voicemail messages on disk until the mail server has them: `<recordId>.wav`, written by
 * FreeSWITCH (`record`) into VOICEMAIL_DIR, and beside it a note `<recordId>.json` the gateway
 * writes before recording starts: who gets the message, what the call was, how delivery went.
 * A note in state `recording` belongs to a message still being left; `queued` ones wait for
 * delivery. Nothing here is deleted before delivery, except a note whose call left no audio.
 */
import { readFile, stat } from 'node:fs/promises';
import { audioPath, notePath, writeNote as writeAudioNote } from '../recordings/audio-files.js';

/** A WAV file with nothing after its 44-byte header holds no message. */
const WAV_HEADER_BYTES = 44;

export type VoicemailNote = {
  recordId: string;
  /** The dealer's address from the number's `voicemail.email`. */
  to: string;
  trackingNumber: string;
  source: string;
  customerId: string;
  /** The caller's number as the dealer may see it; absent when withheld (CLIR). */
  callerNumber?: string;
  startedAt: string;
  state: 'recording' | 'queued';
  attempts: number;
  /** ISO time of the next delivery attempt (queued notes). */
  nextAttemptAt?: string;
  lastError?: string;
};

export async function writeNote(dir: string, note: VoicemailNote): Promise<void> {
  await writeAudioNote(dir, note.recordId, note);
}

export async function readNote(dir: string, recordId: string): Promise<VoicemailNote> {
  const note = JSON.parse(await readFile(notePath(dir, recordId), 'utf8')) as VoicemailNote;
  if (typeof note.to !== 'string' || typeof note.recordId !== 'string')
    throw new Error('to or recordId missing');
  return note;
}

/** True when FreeSWITCH left audio for this message. */
export async function hasAudio(dir: string, recordId: string): Promise<boolean> {
  try {
    return (await stat(audioPath(dir, recordId))).size > WAV_HEADER_BYTES;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}
