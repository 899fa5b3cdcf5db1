/**
 * Voicemail end to end (sipp caller and dealer, drachtio stand-in, FreeSWITCH stand-in, the
 * built gateway, a real SMTP server): when every destination fails, the caller is answered, hears
 * the greeting on its own leg, the message is recorded with `record` into VOICEMAIL_DIR, mailed
 * to the number's address with the audio attached, and deleted once the mail server accepted it.
 * With the mail server down the message stays on disk and the delivery is retried.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import {
  CALLER,
  callThrough as call,
  dealerSipp as dealer,
  firstLines,
  TRACKING,
} from '../helpers/call-bed.js';
import { fsLegCallId, plays, released, startMediaGateway } from '../helpers/media-bed.js';
import { type TestSmtp, testSmtp } from '../helpers/smtp.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

const GREETING = 'voicemail/autohaus.wav';
const MAILBOX = 'verkauf@autohaus-berlin.example';

async function voicemailGateway(
  t: Test,
  dealerPort: number,
  smtp: TestSmtp,
  extra: string[] = [],
  env: Record<string, string> = {},
  greeting = { file: GREETING, ms: 200 },
) {
  const dir = tempDir('calltrack-voicemail-');
  const gw = await startMediaGateway(
    t,
    [{ port: dealerPort, ringTimeout: 2 }],
    { files: { [GREETING]: greeting.ms } },
    [
      'options:',
      '  voicemail:',
      `    email: ${MAILBOX}`,
      `    greetingFile: ${greeting.file}`,
      ...extra,
    ],
    { VOICEMAIL_DIR: dir, SMTP_URL: smtp.url, VOICEMAIL_RETRY_MS: '200', ...env },
  );
  t.teardown(() => smtp.down());
  return { gw, dir };
}

t.test(
  'every dealer busy: the caller is answered, leaves a message, the mail carries it, the file is gone',
  async (t) => {
    const smtp = await testSmtp();
    const d = await dealer('uas-busy-486.xml');
    const { gw, dir } = await voicemailGateway(t, d.port, smtp);
    const c = await call(gw, 'uac-expect-183-then-200-hold-1500ms-caller-bye.xml');
    t.match(c, { exitCode: 0, counts: { successful: 1, failed: 0 } }, 'the caller was answered');
    t.match(await d.done, { exitCode: 0 }, 'the dealer said busy');
    const got = firstLines(c, 'received');
    t.ok(
      got.findIndex((l) => l.startsWith('SIP/2.0 183')) <
        got.findIndex((l) => l.startsWith('SIP/2.0 200')),
      '183 (ringback) while the dealer was tried, 200 only for the voicemail',
    );

    const callerLeg = fsLegCallId(gw.fs, /o=caller/);
    const greeting = plays(gw.fs).filter((p) => p.file === GREETING);
    t.equal(greeting.length, 1, 'the greeting played once');
    t.match(
      greeting[0],
      { channel: { callId: callerLeg }, result: 'FILE PLAYED' },
      'to the caller',
    );
    const [rec] = await gw.records(1);
    const recordId = String(rec?.recordId);
    const recordings = gw.fs.trace.filter((r) => r.kind === 'record');
    t.equal(recordings.length, 1, 'one message recorded');
    t.match(recordings[0], {
      app: 'record',
      path: join(dir, `${recordId}.wav`),
      channel: { callId: callerLeg },
    });
    const greetingAt = gw.fs.trace.findIndex((r) => r.kind === 'play' && r.file === GREETING);
    t.ok(greetingAt < gw.fs.trace.indexOf(recordings[0]!), 'the greeting came first');

    const mail = await smtp.waitForMail();
    t.same(mail.to, [MAILBOX], 'to the number’s voicemail address');
    t.match(mail.email.subject, /Sprachnachricht.*mobile\.de/, 'names the sales channel');
    t.match(mail.email.text, CALLER, 'the caller’s number, which was not withheld');
    t.equal(mail.email.attachments.length, 1, 'the message attached');
    const attachment = mail.email.attachments[0]!;
    t.equal(attachment.mimeType, 'audio/wav');
    const audio = Buffer.from(attachment.content as ArrayBuffer);
    t.equal(audio.subarray(0, 4).toString(), 'RIFF', 'the WAV FreeSWITCH recorded');
    t.ok(audio.length > 44, 'with audio after the header');

    await waitFor(() => readdirSync(dir).length === 0, 15_000, 'the message deleted').catch(
      () => undefined,
    );
    t.same(readdirSync(dir), [], 'neither message nor note kept after delivery');
    t.match(rec, {
      outcome: 'busy',
      sipStatus: 200,
      trackingNumber: TRACKING,
      endedBy: 'caller',
      media: { anchored: true, voicemail: 'left' },
    });
    // the outbox counts a delivery once both files are gone: the folder can be empty a moment before
    const delivered = /^calltrack_voicemails_delivered_total 1$/m;
    const counted = async () => {
      const text = await gw.metrics();
      return delivered.test(text) ? text : undefined;
    };
    const metrics =
      (await waitFor(counted, 5000, 'the delivery counted').catch(() => undefined)) ??
      (await gw.metrics());
    t.match(metrics, /^calltrack_media_outcomes_total\{step="voicemail",result="left"\} 1$/m);
    t.match(metrics, delivered);
    t.match(metrics, /^calltrack_voicemails_pending 0$/m);
    await released(t, gw);
  },
);

t.test('the message reaches its limit: the gateway ends the call', async (t) => {
  const smtp = await testSmtp();
  const d = await dealer('uas-busy-486.xml');
  const { gw } = await voicemailGateway(t, d.port, smtp, ['    maxSeconds: 5']);
  const c = await call(gw, 'uac-expect-183-then-200-await-bye.xml');
  t.match(c, { exitCode: 0, counts: { successful: 1 } }, 'the caller got the BYE');
  await d.done;
  t.match(
    gw.fs.trace.find((r) => r.kind === 'execute' && r.app === 'record'),
    { arg: / 5$/ },
    'record ran with the number’s limit',
  );
  t.match((await gw.records(1))[0], { endedBy: 'gateway', media: { voicemail: 'left' } });
  await smtp.waitForMail();
  await released(t, gw);
});

t.test(
  'mail server down: the message stays on disk and delivery is retried until it is back',
  async (t) => {
    const smtp = await testSmtp({ listening: false });
    const d = await dealer('uas-busy-486.xml');
    const { gw, dir } = await voicemailGateway(t, d.port, smtp, [], {
      VOICEMAIL_RETRY_MAX_MS: '1000',
    });
    const c = await call(gw, 'uac-expect-183-then-200-hold-1500ms-caller-bye.xml');
    t.match(c, { exitCode: 0, counts: { successful: 1 } });
    await d.done;
    const [rec] = await gw.records(1);
    const recordId = String(rec?.recordId);
    await waitFor(
      async () => /^calltrack_voicemail_delivery_failures_total [2-9]/m.test(await gw.metrics()),
      10_000,
      'two failed deliveries',
    );
    t.ok(existsSync(join(dir, `${recordId}.wav`)), 'the message is kept');
    const note = JSON.parse(readFileSync(join(dir, `${recordId}.json`), 'utf8'));
    t.match(note, { state: 'queued', to: MAILBOX, lastError: /ECONNREFUSED/ });
    t.ok(note.attempts >= 2, 'retried');
    t.match(await gw.metrics(), /^calltrack_voicemails_pending 1$/m);
    const ready = await fetch(`http://127.0.0.1:${gw.httpPort}/readyz`);
    t.equal(ready.status, 200, 'a mail server that is down does not take the node out');
    t.match(await ready.json(), { status: 'ready', voicemail: '1 waiting for delivery' });
    t.match(
      gw.logs(),
      /voicemail delivery failed: message kept, retrying/,
      'logged as an error for the operator',
    );
    t.match(rec, { media: { voicemail: 'left' } }, 'left: it is on its way');

    await smtp.up();
    const mail = await smtp.waitForMail(15_000);
    t.equal(mail.email.attachments.length, 1, 'delivered once the mail server is back');
    await waitFor(() => readdirSync(dir).length === 0, 15_000, 'the message deleted').catch(
      () => undefined,
    );
    t.same(readdirSync(dir), [], 'deleted after delivery');
    await released(t, gw);
  },
);

t.test(
  'the caller hangs up during the greeting: nothing recorded, nothing mailed or kept',
  async (t) => {
    const smtp = await testSmtp();
    const d = await dealer('uas-busy-486.xml');
    const { gw, dir } = await voicemailGateway(
      t,
      d.port,
      smtp,
      [],
      {},
      { file: GREETING, ms: 3000 },
    );
    const c = await call(gw, 'uac-expect-183-then-200-caller-bye.xml');
    t.match(c, { exitCode: 0, counts: { successful: 1 } });
    await d.done;
    const [rec] = await gw.records(1);
    t.match(rec, {
      outcome: 'busy',
      sipStatus: 200,
      endedBy: 'caller',
      media: { voicemail: 'empty' },
    });
    t.match(
      plays(gw.fs).find((p) => p.file === GREETING),
      { result: 'FILE PLAYED' },
      'broken off',
    );
    t.notOk(
      gw.fs.trace.some((r) => r.kind === 'record'),
      'no record app after the caller left',
    );
    await released(t, gw);
    t.same(readdirSync(dir), [], 'no note left behind');
    t.same(smtp.mails, []);
    t.match(
      await gw.metrics(),
      /^calltrack_media_outcomes_total\{step="voicemail",result="empty"\} 1$/m,
    );
  },
);

t.test(
  "the caller puts the voicemail on hold: FreeSWITCH's endpoint moves and answers recvonly",
  async (t) => {
    const smtp = await testSmtp();
    const d = await dealer('uas-busy-486.xml');
    const { gw } = await voicemailGateway(t, d.port, smtp);
    // sipp's hold scenario checks the 200's a=recvonly itself
    const c = await call(gw, 'uac-hold-expect-recvonly-caller-bye.xml');
    t.match(
      c,
      { exitCode: 0, counts: { successful: 1 } },
      `the caller held and hung up: ${c.errors}`,
    );
    await d.done;
    const moved = gw.fs.trace.find(
      (r) =>
        r.kind === 'sip' &&
        r.dir === 'in' &&
        r.firstLine.startsWith('INVITE ') &&
        /^m=audio 40002 /m.test(r.text) &&
        /^a=sendonly/m.test(r.text),
    );
    t.ok(moved, "FreeSWITCH's caller endpoint got the caller's held media (its re-INVITE)");
    t.match((await gw.records(1))[0], { endedBy: 'caller', media: { voicemail: 'left' } });
    await smtp.waitForMail();
    await released(t, gw);
  },
);

t.test('the greeting file is missing: the caller still leaves a message', async (t) => {
  const smtp = await testSmtp();
  const d = await dealer('uas-busy-486.xml');
  const { gw } = await voicemailGateway(
    t,
    d.port,
    smtp,
    [],
    {},
    {
      file: 'voicemail/missing.wav',
      ms: 200,
    },
  );
  const c = await call(gw, 'uac-expect-183-then-200-hold-1500ms-caller-bye.xml');
  t.match(c, { exitCode: 0, counts: { successful: 1 } });
  await d.done;
  t.match(
    plays(gw.fs).find((p) => p.file === 'voicemail/missing.wav'),
    { result: 'FILE NOT FOUND' },
  );
  t.ok(
    gw.fs.trace.some((r) => r.kind === 'record'),
    'recorded after the beep',
  );
  t.match((await gw.records(1))[0], { media: { voicemail: 'left' } });
  t.equal((await smtp.waitForMail()).email.attachments.length, 1);
  await released(t, gw);
});

t.test('FreeSWITCH cannot write VOICEMAIL_DIR: voicemail failed, nothing mailed', async (t) => {
  const smtp = await testSmtp();
  t.teardown(() => smtp.down());
  const d = await dealer('uas-busy-486.xml');
  const dir = tempDir('calltrack-voicemail-');
  const gw = await startMediaGateway(
    t,
    [{ port: d.port, ringTimeout: 2 }],
    { files: { [GREETING]: 100 }, unwritable: [dir] },
    ['options:', '  voicemail:', `    email: ${MAILBOX}`, `    greetingFile: ${GREETING}`],
    { VOICEMAIL_DIR: dir, SMTP_URL: smtp.url },
  );
  const c = await call(gw, 'uac-expect-183-then-200-await-bye.xml');
  t.match(c, { exitCode: 0 }, 'FreeSWITCH hung the caller up');
  await d.done;
  t.match((await gw.records(1))[0], { outcome: 'busy', media: { voicemail: 'failed' } });
  t.match(await gw.metrics(), /^calltrack_media_errors_total\{step="voicemail"\} 1$/m);
  t.same(readdirSync(dir), [], 'no note left for the outbox');
  t.equal(smtp.mails.length, 0, 'no mail');
  await released(t, gw);
});
