/**
 * The media-anchored call path end to end: sipp caller and dealers, the drachtio stand-in, the
 * FreeSWITCH stand-in and the gateway as `npm start` runs it. The caller gets 183 with
 * FreeSWITCH's SDP and ringback, the dealer hears the whisper, then the legs are bridged and
 * only then the caller gets 200. No FreeSWITCH channel outlives the call.
 */
import t from 'tap';
import {
  callThrough as call,
  dealerSipp as dealer,
  firstLines,
  received,
} from '../helpers/call-bed.js';
import {
  callIdOf,
  fsLegCallId,
  plays,
  released,
  sipOfCall,
  startMediaGateway,
  WHISPER,
} from '../helpers/media-bed.js';
import { passed } from '../helpers/sipp.js';

t.test(
  'anchored: 183 with early media, whisper to the dealer only, bridge, then 200',
  async (t) => {
    const d = await dealer('uas-answer-200.xml');
    const gw = await startMediaGateway(t, [{ port: d.port }]);
    const c = await call(gw, 'uac-expect-183-then-200-caller-bye.xml');
    t.match(c, { exitCode: 0, counts: { successful: 1, failed: 0 } }, 'the caller was connected');
    const got = firstLines(c, 'received');
    t.ok(
      got.some((l) => l.startsWith('SIP/2.0 183')),
      'the caller got a 183',
    );
    t.ok(
      got.findIndex((l) => l.startsWith('SIP/2.0 183')) <
        got.findIndex((l) => l.startsWith('SIP/2.0 200')),
      'the 183 came before the 200',
    );
    const r183 = received(c, 'SIP/2.0 183');
    const r200 = received(c, 'SIP/2.0 200');
    t.match(r183?.text, /^Contact: <sip:calltrack@127\.0\.0\.1:\d+>/m, 'the 183 carries a Contact');
    t.match(r183?.text, /^m=audio \d+ RTP\/AVP/m, 'the 183 carries SDP (early media)');
    const toTag = (text = '') => /^To:.*;tag=([^;\s]+)/im.exec(text)?.[1];
    t.ok(toTag(r183?.text), 'the 183 has a To tag');
    t.equal(toTag(r200?.text), toTag(r183?.text), 'the 200 has the To tag of the 183');
    const sdpOf = (text = '') => text.slice(text.indexOf('v=0'));
    t.equal(sdpOf(r200?.text), sdpOf(r183?.text), 'the 200 carries the SDP of the 183');

    const dealerSaw = await d.done;
    t.match(dealerSaw, { exitCode: 0 }, 'the dealer answered and got the BYE');
    const dealerInvite = received(dealerSaw, 'INVITE')?.text ?? '';
    t.notMatch(
      dealerInvite,
      /o=caller/,
      "the dealer is offered FreeSWITCH's SDP, not the caller's",
    );
    t.notMatch(dealerInvite, /RTP\/SAVP|a=crypto/, 'a plain RTP offer to the dealer');

    // the order as the drachtio stand-in saw it: 183 out before the dealer's 200, caller's 200 after
    const callerSip = sipOfCall(gw, callIdOf(c));
    const dealerSip = sipOfCall(gw, callIdOf(dealerSaw));
    const trace = gw.standin.trace;
    const at = (callId: string, line: string) =>
      trace.findIndex(
        (r) =>
          r.kind === 'sip' && r.callId === callId && `${r.dir} ${r.firstLine}`.startsWith(line),
      );
    t.ok(
      callerSip.some((l) => l.startsWith('out SIP/2.0 183')),
      'the 183 went out',
    );
    t.ok(dealerSip.includes('in SIP/2.0 200 OK'), "the dealer's 200 came in");
    const dealerAnswered = at(callIdOf(dealerSaw), 'in SIP/2.0 200');
    t.ok(dealerAnswered >= 0, "the dealer's 200 is in the trace");
    const early = at(callIdOf(c), 'out SIP/2.0 183');
    t.ok(early >= 0 && early < dealerAnswered, '183 before the dealer answered');
    t.ok(at(callIdOf(c), 'out SIP/2.0 200') > dealerAnswered, '200 only after the dealer answered');

    // whisper on the dealer leg only, before the bridge; ringback on the caller leg
    const callerLeg = fsLegCallId(gw.fs, /o=caller/);
    const dealerLeg = fsLegCallId(gw.fs, /o=calltrack/);
    t.ok(callerLeg && dealerLeg && callerLeg !== dealerLeg, 'two FreeSWITCH legs');
    const whispers = plays(gw.fs).filter((p) => p.file === WHISPER);
    t.equal(whispers.length, 1, 'the whisper played once');
    t.equal(whispers[0]?.channel.callId, dealerLeg, 'on the dealer leg');
    t.equal(whispers[0]?.result, 'FILE PLAYED');
    t.notOk(
      plays(gw.fs).some((p) => p.channel.callId === callerLeg && p.file === WHISPER),
      'never on the caller leg',
    );
    t.ok(
      plays(gw.fs).some(
        (p) => p.channel.callId === callerLeg && p.file.includes('%(1000,4000,425)'),
      ),
      'the caller heard ringback',
    );
    const whisperAt = gw.fs.trace.findIndex((r) => r.kind === 'play' && r.file === WHISPER);
    const bridgeAt = gw.fs.trace.findIndex((r) => r.kind === 'bridge');
    t.ok(whisperAt >= 0 && bridgeAt > whisperAt, 'the whisper finished before the bridge');

    const [rec] = await gw.records(1);
    t.match(rec, {
      outcome: 'answered',
      endedBy: 'caller',
      destinationIndex: 0,
      media: { anchored: true, whisper: 'played' },
    });
    await released(t, gw);
    const metrics = await gw.metrics();
    t.match(metrics, /^calltrack_media_servers_connected 1$/m);
    t.match(metrics, /^calltrack_media_outcomes_total\{step="whisper",result="played"\} 1$/m);
  },
);

t.test('anchored: BYE from the dealer ends the caller and releases every channel', async (t) => {
  const d = await dealer('uas-answer-200-then-bye.xml');
  const gw = await startMediaGateway(t, [{ port: d.port }]);
  const c = await call(gw, 'uac-expect-183-then-200-await-bye.xml');
  t.match(c, { exitCode: 0, counts: { successful: 1 } }, 'the caller got the BYE');
  await passed(t, d, 'dealer');
  t.match((await gw.records(1))[0], {
    outcome: 'answered',
    endedBy: 'dealer',
    media: { anchored: true },
  });
  await released(t, gw);
});

t.test('anchored failover: the first dealer is busy, the second answers', async (t) => {
  const busy = await dealer('uas-busy-486.xml');
  const answers = await dealer('uas-answer-200.xml');
  const gw = await startMediaGateway(t, [{ port: busy.port }, { port: answers.port }]);
  const c = await call(gw, 'uac-expect-183-then-200-caller-bye.xml');
  t.match(c, { exitCode: 0, counts: { successful: 1 } }, 'the caller was connected');
  const busySaw = await busy.done;
  const answersSaw = await answers.done;
  t.match(busySaw, { exitCode: 0 }, 'the first dealer said busy');
  t.match(answersSaw, { exitCode: 0 }, 'the second answered');
  const sdp = (r: typeof busySaw) => {
    const text = received(r, 'INVITE')?.text ?? '';
    return text.slice(text.indexOf('v=0'));
  };
  t.equal(sdp(busySaw), sdp(answersSaw), 'both were offered the same FreeSWITCH endpoint');
  t.match((await gw.records(1))[0], {
    outcome: 'answered',
    destinationIndex: 1,
    attempts: [
      { index: 0, status: 486, cause: 'busy' },
      { index: 1, status: 200 },
    ],
    media: { anchored: true, whisper: 'played' },
  });
  t.equal(
    plays(gw.fs).filter((p) => p.file === WHISPER).length,
    1,
    'one whisper, to the one who answered',
  );
  await released(t, gw);
});

t.test('anchored: CANCEL while the dealer rings releases every channel', async (t) => {
  const d = await dealer('uas-ring-expect-cancel.xml');
  const gw = await startMediaGateway(t, [{ port: d.port }]);
  const c = await call(gw, 'uac-cancel-after-183.xml');
  t.match(c, { exitCode: 0 }, 'the caller got 200 for the CANCEL and 487');
  t.notOk(
    c.messages.some(
      (m) =>
        m.dir === 'received' &&
        m.firstLine.startsWith('SIP/2.0 200') &&
        /CSeq: 1 INVITE/i.test(m.text),
    ),
    'the caller was never answered',
  );
  t.ok(received(c, 'SIP/2.0 183'), 'the caller had early media');
  t.match(await d.done, { exitCode: 0 }, 'the dealer leg was cancelled');
  t.match((await gw.records(1))[0], {
    outcome: 'cancelled',
    sipStatus: 487,
    media: { anchored: true },
  });
  t.notOk(
    plays(gw.fs).some((p) => p.file === WHISPER),
    'no whisper without an answer',
  );
  await released(t, gw);
});
