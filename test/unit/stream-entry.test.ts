/** The stream entry format: field order kept, media fields appended, old entries still read. */
import t from 'tap';
import { createAnonymiser } from '../../src/records/anonymise.js';
import { FIELDS, fromFields, type StreamRecord, toFields } from '../../src/records/entry.js';
import { callRecord } from '../helpers/records.js';
import { mediaTail, streamRecord } from '../helpers/stream-records.js';

const OLD_FIELDS = [
  'id',
  'node',
  'dialplan',
  'number',
  'customer',
  'source',
  'dest',
  'outcome',
  'reason',
  'status',
  'start',
  'answer',
  'end',
  'ring_ms',
  'talk_ms',
  'caller_country',
  'caller_kind',
  'withheld',
  'pseudonym',
];
const MEDIA_FIELDS = ['media', 'whisper', 'recording', 'voicemail', 'media_error'];
const END_FIELDS = ['ended_by', 'transfer', 'attempts'];
const CLOSED_FIELDS = ['after_hours', 'closed_action', 'announcement'];
const NEW_FIELDS = [...MEDIA_FIELDS, ...END_FIELDS, ...CLOSED_FIELDS];

t.test('the existing fields keep their order; media and call-end fields come last', async (t) => {
  t.same(Object.values(FIELDS), [...OLD_FIELDS, ...NEW_FIELDS]);
  const r = streamRecord({
    media: 'anchored',
    whisper: 'played',
    recording: 'recorded',
    voicemail: 'left',
    mediaError: 'bridge-failed',
    endedBy: 'dealer',
    transfer: 'completed',
    attempts: '0:486:busy 1.0:487:completed-elsewhere 1.1:200:answered',
    afterHours: 'holiday',
    closedAction: 'announcement',
    announcement: 'played',
  });
  const fields = toFields(r);
  t.same(
    fields.filter((_, i) => i % 2 === 0),
    [...OLD_FIELDS, ...NEW_FIELDS],
  );
  t.same(
    fields.slice(-22, -12),
    mediaTail('anchored', 'played', 'recorded', 'left', 'bridge-failed'),
  );
  t.same(fields.slice(-12, -6), [
    'ended_by',
    'dealer',
    'transfer',
    'completed',
    'attempts',
    '0:486:busy 1.0:487:completed-elsewhere 1.1:200:answered',
  ]);
  t.same(fields.slice(-6), [
    'after_hours',
    'holiday',
    'closed_action',
    'announcement',
    'announcement',
    'played',
  ]);
  t.same(fromFields(fields), r, 'round trip');
});

t.test('an entry written before the media fields reads them as empty', async (t) => {
  const r = streamRecord({ id: 'old-1' });
  const old = toFields(r).slice(0, OLD_FIELDS.length * 2);
  t.notOk(old.includes('media'), 'the old entry has no media fields');
  const got = fromFields(old);
  t.same(got, {
    ...r,
    media: '',
    whisper: '',
    recording: '',
    voicemail: '',
    mediaError: '',
    endedBy: '',
    transfer: '',
    attempts: '',
    afterHours: '',
    closedAction: '',
    announcement: '',
  });
  t.equal(got.id, 'old-1');
});

t.test('fields are read by name, whatever their order; unknown fields are ignored', async (t) => {
  const got = fromFields([
    'voicemail',
    'empty',
    'future_field',
    'x',
    'id',
    'r-1',
    'media',
    'unanchored',
  ]);
  t.match(got, { id: 'r-1', media: 'unanchored', voicemail: 'empty', whisper: '', recording: '' });
  t.notOk('future_field' in got);
});

t.test(
  'a record spooled by an older version (no media keys) is written with empty fields',
  async (t) => {
    const {
      media,
      whisper,
      recording,
      voicemail,
      mediaError,
      endedBy,
      transfer,
      attempts,
      afterHours,
      closedAction,
      announcement,
      ...old
    } = streamRecord();
    const fields = toFields(old as StreamRecord);
    t.equal(fields.length, (OLD_FIELDS.length + NEW_FIELDS.length) * 2);
    t.ok(
      fields.every((f) => typeof f === 'string'),
      'no undefined value for XADD',
    );
    t.same(fields.slice(-22, -6), [
      'media',
      '',
      'whisper',
      '',
      'recording',
      '',
      'voicemail',
      '',
      'media_error',
      '',
      'ended_by',
      '',
      'transfer',
      '',
      'attempts',
      '',
    ]);
  },
);

t.test(
  'attempts: index, group member and redirect hop with status and cause, no number',
  async (t) => {
    const r = createAnonymiser(undefined)(
      callRecord('answered', {
        attempts: [
          { index: 0, status: 302, cause: 'redirected' },
          { index: 0, status: 486, cause: 'busy', redirect: 1 },
          { index: 1, member: 0, status: 487, cause: 'completed-elsewhere' },
          { index: 1, member: 1, status: 200, cause: 'answered' },
        ],
      }),
    );
    t.equal(
      r.attempts,
      '0:302:redirected 0r1:486:busy 1.0:487:completed-elsewhere 1.1:200:answered',
    );
    t.equal(createAnonymiser(undefined)(callRecord('rejected', { attempts: [] })).attempts, '');
  },
);
