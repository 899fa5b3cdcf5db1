/**
 * Delivers voicemail messages by e-mail, one at a time, and deletes each from disk once the mail
 * server accepted it. A failed delivery is kept, logged as an error, counted, and retried with
 * a doubling delay up to a ceiling: a message is never dropped, only delivered. Messages left
 * by an earlier run (queued, or interrupted mid-recording by a crash) are found on start.
 */
import type { Logger } from '../observability/logger.js';
import { audioPath, listNotes, removeAudio } from '../recordings/audio-files.js';
import { voicemailMail } from './message.js';
import type { MailSender } from './smtp.js';
import { hasAudio, readNote, type VoicemailNote, writeNote } from './store.js';

export type OutboxOptions = {
  dir: string;
  sender: MailSender;
  logger: Logger;
  now: () => number;
  /** First retry delay; it doubles per failed attempt up to `retryMaxMs`. */
  retryMs: number;
  retryMaxMs: number;
  /** A `recording` note older than this belongs to a call a crash cut short: deliver it. */
  staleRecordingMs: number;
  onDelivered?: () => void;
  onFailed?: () => void;
  /** Messages waiting for delivery, after every change. */
  onPending?: (n: number) => void;
};

export class VoicemailOutbox {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #again = false;
  #stopped = false;

  constructor(private readonly o: OutboxOptions) {}

  /** Notes a message about to be recorded (state `recording`): who gets it. */
  prepare(note: Omit<VoicemailNote, 'state' | 'attempts'>): Promise<void> {
    return writeNote(this.o.dir, { ...note, state: 'recording', attempts: 0 });
  }

  /**
   * The call's recording ended: queue the message and try it now, or clear the note when there
   * is no audio. Never throws: a message that cannot be queued now is found by a later pass.
   */
  async complete(recordId: string): Promise<'left' | 'empty'> {
    try {
      if (!(await hasAudio(this.o.dir, recordId))) {
        await removeAudio(this.o.dir, recordId);
        return 'empty';
      }
      const note = await readNote(this.o.dir, recordId);
      await writeNote(this.o.dir, { ...note, state: 'queued' });
    } catch (err) {
      this.o.logger.error({ err, recordId }, 'voicemail could not be queued: kept on disk');
    }
    this.kick();
    return 'left';
  }

  /** Starts delivering: what an earlier run left, then every queued message when due. */
  start(): void {
    this.kick();
  }

  /** Runs a delivery pass now (or right after the running one). */
  kick(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    clearTimeout(this.#timer);
    this.#running = this.#pass()
      .catch((err) => this.o.logger.error({ err }, 'voicemail outbox pass failed'))
      .finally(() => {
        this.#running = undefined;
        if (this.#again) {
          this.#again = false;
          this.kick();
        }
      });
  }

  /** Resolves once no delivery pass runs or is due to run right after. */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }

  /** Waits for the running pass (drain); no new pass starts. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
  }

  async #pass(): Promise<void> {
    const now = this.o.now();
    let pending = 0;
    let nextDue = Number.POSITIVE_INFINITY;
    for (const id of await listNotes(this.o.dir)) {
      const up = await this.#due(id, now);
      if (!up) continue;
      const retryAt = up.at > now ? up.at : await this.#deliver(up.note);
      if (retryAt === undefined) continue;
      pending++;
      nextDue = Math.min(nextDue, retryAt);
    }
    this.o.onPending?.(pending);
    if (Number.isFinite(nextDue) && !this.#stopped)
      this.#timer = setTimeout(() => this.kick(), Math.max(0, nextDue - this.o.now())).unref();
  }

  /** The note and when it is due; a note still recording is due once it is stale. */
  async #due(id: string, now: number): Promise<{ note: VoicemailNote; at: number } | undefined> {
    let note: VoicemailNote;
    try {
      note = await readNote(this.o.dir, id);
    } catch (err) {
      // kept, never guessed at: an operator reads the log and the file
      this.o.logger.error({ err, recordId: id }, 'voicemail note unreadable: message kept');
      return undefined;
    }
    if (note.state === 'queued') return { note, at: Date.parse(note.nextAttemptAt ?? '') || 0 };
    const stale = Date.parse(note.startedAt) + this.o.staleRecordingMs;
    if (stale > now) return { note, at: stale };
    if (await hasAudio(this.o.dir, id)) return { note, at: 0 };
    await removeAudio(this.o.dir, id);
    return undefined;
  }

  /** Sends one message; undefined when delivered, else the time of its next attempt. */
  async #deliver(note: VoicemailNote): Promise<number | undefined> {
    const log = this.o.logger.child({ recordId: note.recordId });
    try {
      const reply = await this.o.sender.send(
        voicemailMail(note, audioPath(this.o.dir, note.recordId)),
      );
      await removeAudio(this.o.dir, note.recordId);
      this.o.onDelivered?.();
      log.info({ attempts: note.attempts + 1, reply }, 'voicemail delivered and deleted');
      return undefined;
    } catch (err) {
      const attempts = note.attempts + 1;
      const delay = Math.min(this.o.retryMs * 2 ** (attempts - 1), this.o.retryMaxMs);
      const retryAt = this.o.now() + delay;
      await writeNote(this.o.dir, {
        ...note,
        state: 'queued',
        attempts,
        nextAttemptAt: new Date(retryAt).toISOString(),
        lastError: (err as Error).message,
      });
      this.o.onFailed?.();
      log.error(
        { err, attempts, retryInMs: delay, alert: 'voicemail-undelivered' },
        'voicemail delivery failed: message kept, retrying',
      );
      return retryAt;
    }
  }
}
