/**
 * Sends voicemail mails through the SMTP server in SMTP_URL (nodemailer). The only place that
 * imports nodemailer. A send succeeds only when the server accepted the recipient: a 250 for
 * the message but a refused recipient is a failure, and the message stays for a retry.
 */
import type * as Nodemailer from 'nodemailer';
import { lazyRequire } from '../util/lazy-require.js';
import type { VoicemailMail } from './message.js';

/** ~3 MB of live heap: loaded when voicemail mail is on, not by every gateway. */
const nodemailer = lazyRequire<typeof Nodemailer>(import.meta.url, 'nodemailer');

export interface MailSender {
  /** Resolves with the server's reply once it accepted the mail; rejects otherwise. */
  send(mail: VoicemailMail): Promise<string>;
  close(): void;
}

export function smtpSender(url: string, from: string, timeoutMs: number): MailSender {
  // a hung mail server must not hold the outbox: nodemailer's defaults wait minutes
  const transport = nodemailer().createTransport(
    { url, connectionTimeout: timeoutMs, greetingTimeout: timeoutMs, socketTimeout: timeoutMs },
    { from },
  );
  return {
    async send(mail) {
      const info = await transport.sendMail({
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        attachments: [mail.attachment],
      });
      if (!info.accepted.map(String).includes(mail.to))
        throw new Error(`the mail server did not accept ${mail.to}: ${info.response}`);
      return info.response;
    },
    close: () => transport.close(),
  };
}
