/**
 * The media outcomes of a call in its anonymised stream record: every MediaUse case mapped to the
 * flat fields, '' without media, and nothing of the caller or the recording's file name.
 */
import t from 'tap';
import type { MediaUse } from '../../src/call/media-port.js';
import { createAnonymiser } from '../../src/records/anonymise.js';
import { toFields } from '../../src/records/entry.js';
import { callRecord, DISTINCT_CALLER } from '../helpers/records.js';

const anonymise = createAnonymiser('s3cret');
const mediaOf = (media: MediaUse | undefined) => {
  const r = anonymise(callRecord('answered', media ? { media } : {}));
  return {
    media: r.media,
    whisper: r.whisper,
    recording: r.recording,
    voicemail: r.voicemail,
    mediaError: r.mediaError,
  };
};
const NONE = { media: '', whisper: '', recording: '', voicemail: '', mediaError: '' };

t.test('no media: every media field is empty', async (t) => {
  t.same(mediaOf(undefined), NONE);
  const fields = toFields(anonymise(callRecord('busy')));
  for (const name of ['media', 'whisper', 'recording', 'voicemail', 'media_error']) {
    const i = fields.indexOf(name);
    t.ok(i >= 0 && i % 2 === 0, `${name} is written`);
    t.equal(fields[i + 1], '', `${name} is empty`);
  }
});

t.test('anchored or not', async (t) => {
  t.same(mediaOf({ anchored: true }), { ...NONE, media: 'anchored' });
  t.same(mediaOf({ anchored: false }), { ...NONE, media: 'unanchored' });
  t.same(mediaOf({ anchored: false, error: 'anchor-failed' }), {
    ...NONE,
    media: 'unanchored',
    mediaError: 'anchor-failed',
  });
});

t.test('whisper played or failed', async (t) => {
  t.same(mediaOf({ anchored: true, whisper: 'played' }), {
    ...NONE,
    media: 'anchored',
    whisper: 'played',
  });
  t.same(mediaOf({ anchored: true, whisper: 'failed' }), {
    ...NONE,
    media: 'anchored',
    whisper: 'failed',
  });
});

t.test('recording: recorded (without the file name), failed, or a failed notice', async (t) => {
  const id = 'rec-4711';
  const recorded = anonymise(
    callRecord('answered', {
      recordId: id,
      media: { anchored: true, notice: 'played', recording: `${id}.wav` },
    }),
  );
  t.equal(recorded.recording, 'recorded');
  t.equal(recorded.id, id, 'the record id names the file');
  t.notMatch(toFields(recorded).join('\n'), '.wav', 'no file name in the stream');
  t.same(mediaOf({ anchored: true, notice: 'played', recording: 'failed' }), {
    ...NONE,
    media: 'anchored',
    recording: 'failed',
  });
  t.same(
    mediaOf({ anchored: true, notice: 'failed', recording: 'failed', error: 'notice-failed' }),
    { ...NONE, media: 'anchored', recording: 'failed', mediaError: 'notice-failed' },
  );
  t.equal(
    mediaOf({ anchored: true, notice: 'failed' }).recording,
    'failed',
    'a notice that failed: not recorded',
  );
  t.equal(
    mediaOf({ anchored: true, notice: 'failed', recording: 'rec-1.wav' }).recording,
    'failed',
    'a failed notice wins over a file name',
  );
  t.equal(
    mediaOf({ anchored: true, notice: 'played' }).recording,
    '',
    'notice played, never bridged: no recording, no failure',
  );
});

t.test('voicemail left, empty or failed', async (t) => {
  for (const voicemail of ['left', 'empty', 'failed'] as const)
    t.same(mediaOf({ anchored: true, voicemail }), { ...NONE, media: 'anchored', voicemail });
});

t.test('a closed number: why, what was done, and whether its announcement played', async (t) => {
  const closed = anonymise(
    callRecord('closed', {
      afterHours: { why: 'holiday', action: 'announcement' },
      media: { anchored: true, announcement: 'failed' },
    }),
  );
  t.same(
    [closed.afterHours, closed.closedAction, closed.announcement],
    ['holiday', 'announcement', 'failed'],
  );
  const open = anonymise(callRecord('answered'));
  t.same([open.afterHours, open.closedAction, open.announcement], ['', '', ''], 'open: empty');
});

t.test('everything at once, with a bridge error', async (t) => {
  t.same(
    mediaOf({
      anchored: true,
      whisper: 'played',
      notice: 'played',
      recording: 'rec-9.wav',
      error: 'bridge-failed',
    }),
    {
      media: 'anchored',
      whisper: 'played',
      recording: 'recorded',
      voicemail: '',
      mediaError: 'bridge-failed',
    },
  );
});

t.test('an error that is not a short code is not written as it is', async (t) => {
  const leaky = `INVITE failed for ${DISTINCT_CALLER}: v=0 o=- 1 1 IN IP4 10.0.0.1`;
  const r = anonymise(callRecord('answered', { media: { anchored: false, error: leaky } }));
  t.equal(r.mediaError, 'other');
  t.notMatch(toFields(r).join('\n'), DISTINCT_CALLER.slice(3), 'no caller digits in the entry');
});
