/**
 * The e-mail a dealer gets for one voicemail: German (the dealers are in DE/AT), which channel
 * and number the caller dialled, when, who called (or that the number was withheld), the audio
 * attached. Pure: the SMTP adapter sends what this returns.
 */
import type { VoicemailNote } from './store.js';

export type VoicemailMail = {
  to: string;
  subject: string;
  text: string;
  attachment: { filename: string; path: string; contentType: 'audio/wav' };
};

const TIME = new Intl.DateTimeFormat('de-DE', {
  timeZone: 'Europe/Berlin',
  dateStyle: 'medium',
  timeStyle: 'short',
});

export function voicemailMail(note: VoicemailNote, audioPath: string): VoicemailMail {
  const when = TIME.format(new Date(note.startedAt));
  const caller = note.callerNumber ?? 'Rufnummer unterdrückt';
  return {
    to: note.to,
    subject: `Neue Sprachnachricht über ${note.source} (${note.trackingNumber})`,
    text: [
      `Eine Anruferin oder ein Anrufer hat am ${when} eine Sprachnachricht hinterlassen.`,
      '',
      `Kanal:           ${note.source}`,
      `Gewählte Nummer: ${note.trackingNumber}`,
      `Anrufer:         ${caller}`,
      `Vorgang:         ${note.recordId}`,
      '',
      'Die Nachricht ist angehängt. Sie wird nach dem Versand nicht aufbewahrt.',
      '',
    ].join('\n'),
    attachment: {
      filename: `sprachnachricht-${note.startedAt.slice(0, 19).replace(/[:T]/g, '-')}.wav`,
      path: audioPath,
      contentType: 'audio/wav',
    },
  };
}
