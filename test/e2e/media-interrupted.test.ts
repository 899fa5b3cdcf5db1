/**
 * Media-anchored calls interrupted between the dealer's answer and the caller's: a dealer who
 * hangs up during the whisper or while the caller's recording notice still plays is not
 * connected (the caller is not answered, the next destination rings); a drain in that window
 * still gives the caller a final answer; FreeSWITCH going away mid-call ends both legs.
 */
import t from 'tap';
import { callThrough as call, dealerSipp as dealer, received } from '../helpers/call-bed.js';
import {
  plays,
  released,
  startMediaGateway,
  WHISPER,
  whisperAndRecording,
} from '../helpers/media-bed.js';
import type { SippResult } from '../helpers/sipp.js';
import { passed } from '../helpers/sipp.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

const answers = (c: SippResult) =>
  c.messages.filter(
    (m) =>
      m.dir === 'received' &&
      m.firstLine.startsWith('SIP/2.0 200') &&
      /CSeq: 1 INVITE/i.test(m.text),
  );

t.test('the dealer hangs up during the whisper: not connected, the next one is', async (t) => {
  const leaves = await dealer('uas-answer-200-then-bye.xml');
  const stays = await dealer('uas-answer-200.xml');
  const gw = await startMediaGateway(t, [{ port: leaves.port }, { port: stays.port }], {
    files: { [WHISPER]: 2000 },
  });
  const c = await call(gw, 'uac-expect-183-then-200-caller-bye.xml');
  t.match(c, { exitCode: 0, counts: { successful: 1 } }, `caller: ${c.errors}`);
  t.equal(answers(c).length, 1, 'the caller was answered once, for the second dealer');
  await passed(t, leaves, 'leaves');
  await passed(t, stays, 'stays');
  const whispers = plays(gw.fs).filter((p) => p.file === WHISPER);
  t.equal(whispers.length, 2, 'a whisper for each dealer who answered');
  t.ok(
    gw.fs.trace.some((r) => r.kind === 'esl' && r.dir === 'in' && /uuid_break/.test(r.text)),
    'the first was broken off when its dealer left',
  );
  t.match((await gw.records(1))[0], {
    outcome: 'answered',
    destinationIndex: 1,
    attempts: [
      { index: 0, status: 200, cause: 'declined' },
      { index: 1, cause: 'answered' },
    ],
  });
  t.match(await gw.metrics(), /^calltrack_dial_attempts_total\{cause="declined"\} 1$/m);
  await released(t, gw);
});

t.test('the dealer hangs up while the recording notice still plays: not connected', async (t) => {
  const leaves = await dealer('uas-answer-200-then-bye.xml');
  const stays = await dealer('uas-answer-200.xml');
  const gw = await startMediaGateway(
    t,
    [{ port: leaves.port }, { port: stays.port }],
    { files: { [WHISPER]: 100, 'notice.wav': 2500 } },
    whisperAndRecording('notice.wav'),
    { RECORDING_DIR: tempDir('calltrack-rec-') },
  );
  const c = await call(gw, 'uac-expect-183-then-200-caller-bye.xml');
  t.match(c, { exitCode: 0, counts: { successful: 1 } }, `caller: ${c.errors}`);
  t.equal(answers(c).length, 1, 'answered once');
  t.match((await gw.records(1))[0], {
    outcome: 'answered',
    destinationIndex: 1,
    attempts: [{ cause: 'declined' }, { cause: 'answered' }],
    media: { notice: 'played', recording: /\.wav$/ },
  });
  await released(t, gw);
});

t.test('a drain while the whisper plays still gives the caller a final answer', async (t) => {
  const d = await dealer('uas-answer-200.xml');
  const gw = await startMediaGateway(
    t,
    [{ port: d.port }],
    { files: { [WHISPER]: 4000 } },
    undefined,
    { DRAIN_TIMEOUT_MS: '200' },
  );
  const calling = call(gw, 'uac-expect-183-then-503.xml');
  // the app's playback command on its way to FreeSWITCH: the whisper is playing from now on
  await waitFor(
    () => gw.fs.trace.some((r) => r.kind === 'esl' && r.dir === 'in' && r.text.includes(WHISPER)),
    15_000,
    'the whisper started',
  );
  gw.proc.kill('SIGTERM');
  const c = await calling;
  t.match(c, { exitCode: 0 }, `the caller got 503: ${c.errors}`);
  t.equal(answers(c).length, 0, 'never answered');
  t.match(await d.done, { exitCode: 0 }, 'the dealer got a BYE');
  t.equal(await gw.exited, 0);
  t.match((await gw.records(1))[0], { outcome: 'failed', sipStatus: 503, endedBy: 'gateway' });
});

t.test('FreeSWITCH goes away mid-call: both legs get a BYE, the record says why', async (t) => {
  const d = await dealer('uas-answer-200.xml');
  const gw = await startMediaGateway(t, [{ port: d.port }]);
  const calling = call(gw, 'uac-expect-183-then-200-await-bye.xml');
  await waitFor(() => gw.fs.trace.some((r) => r.kind === 'bridge'), 15_000, 'the bridge');
  await gw.fs.close();
  const c = await calling;
  t.match(c, { exitCode: 0 }, `the caller got a BYE: ${c.errors}`);
  t.match(received(c, 'BYE')?.text, /^Reason: SIP;cause=500;text="media server lost"/m);
  t.match(await d.done, { exitCode: 0 }, 'the dealer got a BYE');
  t.match((await gw.records(1))[0], { outcome: 'answered', endedBy: 'media-lost' });
  await waitFor(async () => /^calltrack_active_calls 0$/m.test(await gw.metrics()), 15_000);
  t.pass('no call left active');
});
