/**
 * Recording end to end (sipp, drachtio stand-in, FreeSWITCH stand-in, the built gateway): a
 * number with `options.recording` is anchored in media, the caller hears the recording notice on
 * its own leg in early media before the bridge, and after the bridge the call is recorded with
 * record_session (never `record` on a bridged leg) into RECORDING_DIR as `<recordId>.wav`, with
 * the sidecar the sweeper reads; the call record notes the file.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { writeSidecar } from '../../src/recordings/store.js';
import {
  callThrough as call,
  dealerSipp as dealer,
  firstLines,
  TRACKING,
} from '../helpers/call-bed.js';
import { fsLegCallId, plays, released, startMediaGateway } from '../helpers/media-bed.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

const NOTICE = 'notice/autohaus.wav';
const DEFAULT_NOTICE = 'notice/default.wav';

function recordingOptions(noticeFile?: string): string[] {
  return [
    'options:',
    '  recording:',
    '    enabled: true',
    '    retentionDays: 30',
    ...(noticeFile ? [`    noticeFile: ${noticeFile}`] : []),
  ];
}

async function recordingGateway(
  t: Test,
  dealerPort: number,
  noticeFile?: string,
  env: Record<string, string> = {},
  dir = tempDir('calltrack-recordings-'),
) {
  const gw = await startMediaGateway(
    t,
    [{ port: dealerPort }],
    { files: { [NOTICE]: 200, [DEFAULT_NOTICE]: 100 } },
    recordingOptions(noticeFile),
    { RECORDING_DIR: dir, RECORDING_NOTICE_FILE: DEFAULT_NOTICE, ...env },
  );
  return { gw, dir };
}

t.test('recorded: notice to the caller before the bridge, record_session after it', async (t) => {
  const d = await dealer('uas-answer-200.xml');
  const { gw, dir } = await recordingGateway(t, d.port, NOTICE);
  const c = await call(gw, 'uac-expect-183-then-200-caller-bye.xml');
  t.match(c, { exitCode: 0, counts: { successful: 1, failed: 0 } }, 'the caller was connected');
  t.match(await d.done, { exitCode: 0 }, 'the dealer answered and got the BYE');
  const got = firstLines(c, 'received');
  const at183 = got.findIndex((l) => l.startsWith('SIP/2.0 183'));
  t.ok(
    at183 >= 0 && at183 < got.findIndex((l) => l.startsWith('SIP/2.0 200')),
    'early media first',
  );

  const callerLeg = fsLegCallId(gw.fs, /o=caller/);
  const dealerLeg = fsLegCallId(gw.fs, /o=calltrack/);
  t.ok(callerLeg && dealerLeg && callerLeg !== dealerLeg, 'two FreeSWITCH legs');
  const notices = plays(gw.fs).filter((p) => p.file === NOTICE);
  t.equal(notices.length, 1, 'the notice played once');
  t.equal(notices[0]?.channel.callId, callerLeg, 'on the caller leg');
  t.equal(notices[0]?.result, 'FILE PLAYED', 'to its end');
  t.notOk(
    plays(gw.fs).some((p) => p.file === NOTICE && p.channel.callId === dealerLeg),
    'never to the dealer',
  );
  const trace = gw.fs.trace;
  const noticeAt = trace.findIndex((r) => r.kind === 'play' && r.file === NOTICE);
  const bridgeAt = trace.findIndex((r) => r.kind === 'bridge');
  const recordAt = trace.findIndex((r) => r.kind === 'record');
  t.ok(noticeAt >= 0 && bridgeAt > noticeAt, 'the notice finished before the bridge');
  t.ok(recordAt > bridgeAt, 'recording started after the bridge');
  // the dealer answered during the notice: no ringback after it, whose playback could start on
  // the bridged leg (released() checks that no playback ran on a bridged leg)

  const [rec] = await gw.records(1);
  const recordId = String(rec?.recordId);
  const file = `${recordId}.wav`;
  t.match(rec, {
    outcome: 'answered',
    trackingNumber: TRACKING,
    media: { anchored: true, notice: 'played', recording: file },
  });
  const records = trace.filter((r) => r.kind === 'record');
  t.equal(records.length, 1, 'one recording');
  t.match(records[0], { app: 'record_session', path: join(dir, file) }, 'record_session');
  t.equal(records[0]?.kind === 'record' && records[0].channel.callId, callerLeg);
  t.ok(existsSync(join(dir, file)), 'the recording file exists, named by the record id');
  t.match(JSON.parse(readFileSync(join(dir, `${recordId}.json`), 'utf8')), {
    recordId,
    trackingNumber: TRACKING,
    customer: 'autohaus-berlin',
    retentionDays: 30,
    startedAt: rec?.startedAt,
  });
  await released(t, gw);
  const metrics = await gw.metrics();
  t.notMatch(metrics, /calltrack_media_errors_total\{step="record"\} [1-9]/);
  t.match(metrics, /^calltrack_media_outcomes_total\{step="recording",result="recorded"\} 1$/m);
});

t.test('recorded without a notice file of its own: the configured default', async (t) => {
  const d = await dealer('uas-answer-200.xml');
  const { gw, dir } = await recordingGateway(t, d.port);
  const c = await call(gw, 'uac-expect-183-then-200-caller-bye.xml');
  t.match(c, { exitCode: 0, counts: { successful: 1 } });
  await d.done;
  const callerLeg = fsLegCallId(gw.fs, /o=caller/);
  t.match(
    plays(gw.fs).find((p) => p.file === DEFAULT_NOTICE),
    {
      channel: { callId: callerLeg },
      result: 'FILE PLAYED',
    },
  );
  const [rec] = await gw.records(1);
  t.match(rec, { media: { notice: 'played', recording: `${rec?.recordId}.wav` } });
  t.ok(existsSync(join(dir, `${rec?.recordId}.wav`)));
  await released(t, gw);
});

t.test('the notice cannot play: the call goes through, not recorded, counted', async (t) => {
  const d = await dealer('uas-answer-200.xml');
  const { gw, dir } = await recordingGateway(t, d.port, 'notice/missing.wav');
  const c = await call(gw, 'uac-expect-183-then-200-caller-bye.xml');
  t.match(c, { exitCode: 0, counts: { successful: 1 } }, 'the caller was still connected');
  await d.done;
  const [rec] = await gw.records(1);
  t.match(rec, {
    outcome: 'answered',
    media: { anchored: true, notice: 'failed', recording: 'failed' },
  });
  t.notOk(existsSync(join(dir, `${rec?.recordId}.wav`)), 'nothing recorded');
  t.notOk(
    gw.fs.trace.some((r) => r.kind === 'record'),
    'no record app ran',
  );
  const metrics = await gw.metrics();
  t.match(metrics, /^calltrack_media_errors_total\{step="record"\} 1$/m);
  t.match(metrics, /^calltrack_media_errors_total\{step="notice"\} 1$/m);
  await released(t, gw);
});

t.test(
  'retention: the gateway’s sweeper deletes a recording past its days, keeps the new one',
  async (t) => {
    const dir = tempDir('calltrack-recordings-');
    // left by an earlier call 40 days ago, kept 30 days
    writeFileSync(join(dir, 'old-call.wav'), 'RIFF');
    await writeSidecar(dir, {
      recordId: 'old-call',
      trackingNumber: TRACKING,
      retentionDays: 30,
      startedAt: new Date(Date.now() - 40 * 86_400_000).toISOString(),
    });
    const d = await dealer('uas-answer-200.xml');
    const { gw } = await recordingGateway(
      t,
      d.port,
      NOTICE,
      { RECORDING_PURGE_INTERVAL_MS: '1000' },
      dir,
    );
    const c = await call(gw, 'uac-expect-183-then-200-caller-bye.xml');
    t.match(c, { exitCode: 0, counts: { successful: 1 } });
    await d.done;
    const [rec] = await gw.records(1);
    const file = `${rec?.recordId}.wav`;
    await waitFor(
      async () => /^calltrack_recordings_deleted_total 1$/m.test(await gw.metrics()),
      15_000,
      'the sweep',
    );
    // one more sweep after the call's recording exists: it stays
    await new Promise((r) => setTimeout(r, 1500));
    t.notOk(existsSync(join(dir, 'old-call.wav')), 'the old recording is deleted');
    t.notOk(existsSync(join(dir, 'old-call.json')), 'with its sidecar');
    t.ok(existsSync(join(dir, file)), 'the new recording is kept');
    t.match(await gw.metrics(), /^calltrack_recordings_deleted_total 1$/m);
    await released(t, gw);
  },
);

t.test(
  'FreeSWITCH cannot write RECORDING_DIR: the call goes on, the recording is failed',
  async (t) => {
    const d = await dealer('uas-answer-200.xml');
    const dir = tempDir('calltrack-recordings-');
    // record_session completes either way; only its completion cause says the file never opened
    const gw = await startMediaGateway(
      t,
      [{ port: d.port }],
      { files: { [NOTICE]: 200 }, unwritable: [dir] },
      recordingOptions(NOTICE),
      { RECORDING_DIR: dir },
    );
    const c = await call(gw, 'uac-expect-183-then-200-caller-bye.xml');
    t.match(c, { exitCode: 0, counts: { successful: 1 } }, 'the caller was connected');
    await d.done;
    const [rec] = await gw.records(1);
    t.match(rec, { outcome: 'answered', media: { notice: 'played', recording: 'failed' } });
    t.ok(
      gw.fs.trace.some((r) => r.kind === 'record-failed' && r.app === 'record_session'),
      'FreeSWITCH could not open the file',
    );
    t.match(await gw.metrics(), /^calltrack_media_errors_total\{step="record"\} 1$/m);
    await released(t, gw);
  },
);
