/**
 * Simultaneous ring end to end: a ringAll group of sipp dealers through the drachtio stand-in.
 * The first member to answer takes the call, the others get a CANCEL whose Reason tells their
 * phones the call was completed elsewhere (RFC 3326); a group where nobody can take the call hands
 * on to the next destination; anchored in media, the whisper plays to the member who answered.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import {
  CUSTOMERS,
  callThrough as call,
  dealerSipp as dealer,
  firstLines,
  numbersYaml,
  received,
} from '../helpers/call-bed.js';
import { startGateway } from '../helpers/gateway.js';
import {
  fsLegCallId,
  plays,
  released,
  startMediaGateway,
  WHISPER,
  whisperAndRecording,
} from '../helpers/media-bed.js';
import type { SippResult } from '../helpers/sipp.js';
import { tempDir } from '../helpers/temp-dir.js';

const COMPLETED_ELSEWHERE = /^Reason: SIP;cause=200;text="Call completed elsewhere"$/m;

/** The RTP port a sipp dealer put in its 200. */
function answeredPort(r: SippResult): string | undefined {
  const ok = r.messages.find((m) => m.dir === 'sent' && m.firstLine.startsWith('SIP/2.0 200'));
  return /^m=audio (\d+)/m.exec(ok?.text ?? '')?.[1];
}

t.test('the second member answers; the first gets CANCEL with the Reason', async (t) => {
  const rings = await dealer('uas-ring-expect-cancel-completed-elsewhere.xml');
  const answers = await dealer('uas-ring-1s-then-answer-200.xml');
  const gw = await startGateway(t, {
    'customers.yaml': CUSTOMERS,
    'numbers.yaml': numbersYaml([{ ringAll: [rings.port, answers.port] }]),
  });
  const c = await call(gw, 'uac-expect-200-caller-bye.xml');
  t.match(c, { exitCode: 0, counts: { successful: 1, failed: 0 } }, 'the caller was connected');
  t.ok(firstLines(c, 'received').includes('SIP/2.0 180 Ringing'), 'ringing reached the caller');
  const ringsSaw = await rings.done;
  const answersSaw = await answers.done;
  t.match(ringsSaw, { exitCode: 0 }, `the first member was cancelled: ${ringsSaw.errors}`);
  t.match(received(ringsSaw, 'CANCEL')?.text, COMPLETED_ELSEWHERE, 'the Reason, exactly');
  t.match(answersSaw, { exitCode: 0 }, 'the second member answered and got the BYE');
  t.notOk(received(answersSaw, 'CANCEL'), 'the member who answered is not cancelled');
  const sdp = received(c, 'SIP/2.0 200')?.text ?? '';
  t.match(sdp, new RegExp(`^m=audio ${answeredPort(answersSaw)} `, 'm'), "the winner's SDP");
  const [r] = await gw.records(1);
  t.match(r, {
    outcome: 'answered',
    sipStatus: 200,
    destinationIndex: 0,
    endedBy: 'caller',
    attempts: [
      { index: 0, member: 0, status: 487, cause: 'completed-elsewhere' },
      { index: 0, member: 1, status: 200, cause: 'answered' },
    ],
  });
  t.match(await gw.metrics(), /^calltrack_dial_attempts_total\{cause="completed-elsewhere"\} 1$/m);
});

t.test('every member busy: the next destination answers', async (t) => {
  const busyA = await dealer('uas-busy-486.xml');
  const busyB = await dealer('uas-busy-486.xml');
  const answers = await dealer('uas-answer-200.xml');
  const gw = await startGateway(t, {
    'customers.yaml': CUSTOMERS,
    'numbers.yaml': numbersYaml([{ ringAll: [busyA.port, busyB.port] }, { port: answers.port }]),
  });
  t.match(await call(gw, 'uac-expect-200-caller-bye.xml'), { exitCode: 0 }, 'connected');
  t.match(await busyA.done, { exitCode: 0 }, 'the first member said busy');
  t.match(await busyB.done, { exitCode: 0 }, 'the second member said busy');
  t.match(await answers.done, { exitCode: 0 }, 'the fallback destination answered');
  const [r] = await gw.records(1);
  t.match(r, {
    outcome: 'answered',
    destinationIndex: 1,
    attempts: [
      { index: 0, member: 0, status: 486, cause: 'busy' },
      { index: 0, member: 1, status: 486, cause: 'busy' },
      { index: 1, status: 200, cause: 'answered' },
    ],
  });
});

t.test(
  'anchored: the whisper plays to the member who answered; the call is recorded',
  async (t) => {
    const NOTICE = 'notice/autohaus.wav';
    const dir = tempDir('calltrack-ringall-recordings-');
    const rings = await dealer('uas-ring-expect-cancel-completed-elsewhere.xml');
    const answers = await dealer('uas-ring-1s-then-answer-200.xml');
    const gw = await startMediaGateway(
      t,
      [{ ringAll: [rings.port, answers.port] }],
      { files: { [WHISPER]: 200, [NOTICE]: 200 } },
      whisperAndRecording(NOTICE),
      { RECORDING_DIR: dir },
    );
    const c = await call(gw, 'uac-expect-183-then-200-caller-bye.xml');
    t.match(c, { exitCode: 0, counts: { successful: 1, failed: 0 } }, 'the caller was connected');
    const ringsSaw = await rings.done;
    const answersSaw = await answers.done;
    t.match(ringsSaw, { exitCode: 0 }, `the first member was cancelled: ${ringsSaw.errors}`);
    t.match(received(ringsSaw, 'CANCEL')?.text, COMPLETED_ELSEWHERE);
    t.match(answersSaw, { exitCode: 0 }, 'the second member answered and got the BYE');
    const offers = [ringsSaw, answersSaw].map((saw) => {
      const invite = received(saw, 'INVITE')?.text ?? '';
      return invite.slice(invite.indexOf('v=0'));
    });
    t.match(offers[0], /^o=FreeSWITCH/m, "the members are offered FreeSWITCH's SDP");
    t.equal(offers[0], offers[1], 'the same offer to every member');

    // FreeSWITCH's dealer channel is pointed at the winner's RTP, and the whisper plays on it
    const dealerLeg = fsLegCallId(gw.fs, /o=calltrack/);
    const callerLeg = fsLegCallId(gw.fs, /o=caller/);
    const modified = gw.fs.trace.filter(
      (r) =>
        r.kind === 'sip' &&
        r.dir === 'in' &&
        r.firstLine.startsWith('INVITE ') &&
        /o=dealer/.test(r.text),
    );
    t.equal(modified.length, 1, "one dealer's SDP reached FreeSWITCH");
    t.match(
      modified[0]?.kind === 'sip' && modified[0].text,
      new RegExp(`^m=audio ${answeredPort(answersSaw)} `, 'm'),
      "the winner's",
    );
    t.equal(
      modified[0]?.kind === 'sip' && /^Call-ID:\s*(.*)$/im.exec(modified[0].text)?.[1]?.trim(),
      dealerLeg,
      'on the dealer channel',
    );
    const whispers = plays(gw.fs).filter((p) => p.file === WHISPER);
    t.equal(whispers.length, 1, 'the whisper played once');
    t.equal(whispers[0]?.channel.callId, dealerLeg, 'to the dealer channel');
    t.equal(
      plays(gw.fs).find((p) => p.file === NOTICE)?.channel.callId,
      callerLeg,
      'notice to the caller',
    );
    const recordings = gw.fs.trace.filter((r) => r.kind === 'record');
    t.equal(recordings.length, 1, 'one recording');

    const [rec] = await gw.records(1);
    const file = `${String(rec?.recordId)}.wav`;
    t.match(rec, {
      outcome: 'answered',
      destinationIndex: 0,
      media: { anchored: true, whisper: 'played', notice: 'played', recording: file },
      attempts: [
        { index: 0, member: 0, cause: 'completed-elsewhere' },
        { index: 0, member: 1, status: 200, cause: 'answered' },
      ],
    });
    t.ok(existsSync(join(dir, file)), 'the recording file exists');
    await released(t, gw);
  },
);

t.test('the member who answered hangs up during the whisper: the next destination', async (t) => {
  const leaves = await dealer('uas-answer-200-then-bye.xml');
  const rings = await dealer('uas-ring-expect-cancel-completed-elsewhere.xml');
  const stays = await dealer('uas-answer-200.xml');
  const gw = await startMediaGateway(
    t,
    [{ ringAll: [leaves.port, rings.port] }, { port: stays.port }],
    { files: { [WHISPER]: 2000 } },
  );
  const c = await call(gw, 'uac-expect-183-then-200-caller-bye.xml');
  t.match(c, { exitCode: 0, counts: { successful: 1 } }, `caller: ${c.errors}`);
  t.equal(
    c.messages.filter(
      (m) =>
        m.dir === 'received' &&
        m.firstLine.startsWith('SIP/2.0 200') &&
        /^CSeq: 1 INVITE/im.test(m.text),
    ).length,
    1,
    'answered once, for the next destination',
  );
  for (const [who, run] of [
    ['leaves', leaves],
    ['rings', rings],
    ['stays', stays],
  ] as const)
    t.match(await run.done, { exitCode: 0 }, who);
  t.match((await gw.records(1))[0], {
    outcome: 'answered',
    destinationIndex: 1,
    attempts: [
      { index: 0, member: 0, status: 200, cause: 'declined' },
      { index: 0, member: 1, status: 487, cause: 'completed-elsewhere' },
      { index: 1, status: 200, cause: 'answered' },
    ],
  });
  await released(t, gw);
});
