/**
 * The voicemail outbox on real files with a fake mail sender: a message is deleted only once the
 * sender accepted it; a failure keeps it, is counted, and is retried with a doubling delay up to
 * its ceiling; notes left by a crash mid-message are delivered once stale, or cleared when there
 * is no audio; a note it cannot read is kept and reported, never guessed at.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { createLogger } from '../../src/observability/logger.js';
import type { VoicemailMail } from '../../src/voicemail/message.js';
import { VoicemailOutbox } from '../../src/voicemail/outbox.js';
import type { VoicemailNote } from '../../src/voicemail/store.js';
import { tempDir } from '../helpers/temp-dir.js';

const WAV = Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(40), Buffer.alloc(160, 0xff)]);
const START = Date.parse('2026-11-22T10:00:00Z');

function bed(failures = 0) {
  const dir = tempDir('calltrack-outbox-');
  const sent: VoicemailMail[] = [];
  let clock = START;
  let failing = failures;
  const counts = { delivered: 0, failed: 0, pending: -1 };
  const outbox = new VoicemailOutbox({
    dir,
    logger: createLogger('silent'),
    now: () => clock,
    retryMs: 1000,
    retryMaxMs: 3000,
    staleRecordingMs: 60_000,
    sender: {
      send: async (mail) => {
        if (failing-- > 0) throw new Error('connect ECONNREFUSED 127.0.0.1:25');
        sent.push(mail);
        return '250 queued';
      },
      close: () => undefined,
    },
    onDelivered: () => counts.delivered++,
    onFailed: () => counts.failed++,
    onPending: (n) => {
      counts.pending = n;
    },
  });
  t.teardown(() => outbox.stop());
  const note = (id: string): VoicemailNote =>
    JSON.parse(readFileSync(join(dir, `${id}.json`), 'utf8'));
  return {
    dir,
    sent,
    counts,
    outbox,
    note,
    at: (ms: number) => {
      clock = START + ms;
    },
  };
}

const message = {
  recordId: 'r1',
  to: 'verkauf@autohaus.example',
  trackingNumber: '+493025550101',
  source: 'mobile.de',
  customerId: 'autohaus-berlin',
  callerNumber: '+4917699887766',
  startedAt: new Date(START).toISOString(),
};

t.test('a message with audio is mailed, then message and note are deleted', async (t) => {
  const b = bed();
  await b.outbox.prepare(message);
  t.match(b.note('r1'), { state: 'recording', to: message.to, attempts: 0 });
  writeFileSync(join(b.dir, 'r1.wav'), WAV);
  t.equal(await b.outbox.complete('r1'), 'left');
  await b.outbox.idle();
  t.equal(b.sent.length, 1);
  t.match(b.sent[0], {
    to: message.to,
    subject: /mobile\.de.*\+493025550101/,
    text: /\+4917699887766/,
    attachment: { path: join(b.dir, 'r1.wav'), contentType: 'audio/wav' },
  });
  t.same(readdirSync(b.dir), [], 'nothing kept after delivery');
  t.same(b.counts, { delivered: 1, failed: 0, pending: 0 });
});

t.test('a withheld caller stays withheld in the mail', async (t) => {
  const b = bed();
  const { callerNumber: _withheld, ...anonymous } = message;
  await b.outbox.prepare(anonymous);
  writeFileSync(join(b.dir, 'r1.wav'), WAV);
  await b.outbox.complete('r1');
  await b.outbox.idle();
  t.match(b.sent[0]?.text, /Rufnummer unterdrückt/);
  t.notMatch(b.sent[0]?.text, /\+49176/);
});

t.test(
  'no audio (the caller hung up during the greeting): empty, nothing mailed or kept',
  async (t) => {
    const b = bed();
    await b.outbox.prepare(message);
    writeFileSync(join(b.dir, 'r1.wav'), WAV.subarray(0, 44));
    t.equal(await b.outbox.complete('r1'), 'empty');
    await b.outbox.idle();
    t.same(b.sent, []);
    t.same(readdirSync(b.dir), []);
  },
);

t.test(
  'a failed delivery keeps the message and retries with a doubling, capped delay',
  async (t) => {
    const b = bed(3);
    await b.outbox.prepare(message);
    writeFileSync(join(b.dir, 'r1.wav'), WAV);
    await b.outbox.complete('r1');
    await b.outbox.idle();
    t.match(b.note('r1'), {
      state: 'queued',
      attempts: 1,
      nextAttemptAt: new Date(START + 1000).toISOString(),
      lastError: /ECONNREFUSED/,
    });
    t.ok(existsSync(join(b.dir, 'r1.wav')), 'the message is kept');
    t.same(b.counts, { delivered: 0, failed: 1, pending: 1 });

    b.at(500);
    b.outbox.kick();
    await b.outbox.idle();
    t.equal(b.note('r1').attempts, 1, 'not retried before it is due');

    b.at(1000);
    b.outbox.kick();
    await b.outbox.idle();
    t.match(b.note('r1'), { attempts: 2, nextAttemptAt: new Date(START + 3000).toISOString() });
    b.at(3000);
    b.outbox.kick();
    await b.outbox.idle();
    t.match(
      b.note('r1'),
      { attempts: 3, nextAttemptAt: new Date(START + 6000).toISOString() },
      'the delay stops growing at retryMaxMs',
    );
    b.at(6000);
    b.outbox.kick();
    await b.outbox.idle();
    t.equal(b.sent.length, 1, 'delivered on the fourth attempt');
    t.same(readdirSync(b.dir), []);
    t.same(b.counts, { delivered: 1, failed: 3, pending: 0 });
  },
);

t.test(
  'after a crash: a stale recording note with audio is delivered, one without is cleared',
  async (t) => {
    const b = bed();
    await b.outbox.prepare(message);
    writeFileSync(join(b.dir, 'r1.wav'), WAV);
    await b.outbox.prepare({ ...message, recordId: 'r2' });
    b.outbox.start();
    await b.outbox.idle();
    t.same(b.sent, [], 'still recording: not touched');
    t.equal(b.counts.pending, 2);

    b.at(60_000);
    b.outbox.kick();
    await b.outbox.idle();
    t.equal(b.sent.length, 1, 'the message a crash cut short is delivered');
    t.equal(b.sent[0]?.attachment.path, join(b.dir, 'r1.wav'));
    t.same(readdirSync(b.dir), [], 'and the note without audio cleared');
  },
);

t.test('an unreadable note: its message is kept, never mailed or deleted', async (t) => {
  const b = bed();
  writeFileSync(join(b.dir, 'r9.json'), '{"to": ');
  writeFileSync(join(b.dir, 'r9.wav'), WAV);
  b.outbox.start();
  await b.outbox.idle();
  t.same(b.sent, []);
  t.same(readdirSync(b.dir).sort(), ['r9.json', 'r9.wav']);
});
