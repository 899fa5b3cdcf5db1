/**
 * The SMTP adapter against a real SMTP server: a send resolves only when the server accepted the
 * recipient, with the audio attached as it was on disk; a refused recipient or a server that is
 * down rejects, so the outbox keeps the message.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import type { VoicemailMail } from '../../src/voicemail/message.js';
import { smtpSender } from '../../src/voicemail/smtp.js';
import { testSmtp } from '../helpers/smtp.js';
import { tempDir } from '../helpers/temp-dir.js';

const AUDIO = Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(40), Buffer.alloc(320, 0x7f)]);

function mail(to: string): VoicemailMail {
  const path = join(tempDir('calltrack-smtp-'), 'r1.wav');
  writeFileSync(path, AUDIO);
  return {
    to,
    subject: 'Neue Sprachnachricht über mobile.de (+493025550101)',
    text: 'Anrufer: +4917699887766',
    attachment: { filename: 'sprachnachricht.wav', path, contentType: 'audio/wav' },
  };
}

t.test('accepted: resolves with the reply, the attachment arrives byte for byte', async (t) => {
  const smtp = await testSmtp();
  t.teardown(() => smtp.down());
  const sender = smtpSender(smtp.url, 'calltrack <vm@calltrack.test>', 5000);
  t.teardown(() => sender.close());
  t.match(await sender.send(mail('verkauf@autohaus.example')), /^250/);
  const got = await smtp.waitForMail();
  t.same(got.to, ['verkauf@autohaus.example']);
  t.match(got.email.from, { address: 'vm@calltrack.test' });
  t.equal(got.email.subject, 'Neue Sprachnachricht über mobile.de (+493025550101)');
  const [att] = got.email.attachments;
  t.match(att, { filename: 'sprachnachricht.wav', mimeType: 'audio/wav' });
  t.same(Buffer.from(att?.content as ArrayBuffer), AUDIO);
});

t.test('the recipient is refused: rejects, naming the server reply', async (t) => {
  const smtp = await testSmtp({ refuse: 'alt@autohaus.example' });
  t.teardown(() => smtp.down());
  const sender = smtpSender(smtp.url, 'calltrack <vm@calltrack.test>', 5000);
  t.teardown(() => sender.close());
  await t.rejects(sender.send(mail('alt@autohaus.example')), /550|rejected/);
  t.same(smtp.mails, [], 'nothing delivered');
});

t.test('the server is down: rejects with the connection error', async (t) => {
  const smtp = await testSmtp({ listening: false });
  const sender = smtpSender(smtp.url, 'calltrack <vm@calltrack.test>', 2000);
  t.teardown(() => sender.close());
  await t.rejects(sender.send(mail('verkauf@autohaus.example')), /ECONNREFUSED/);
});
