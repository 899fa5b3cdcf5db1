/**
 * Requests inside a connected call, relayed between caller and dealer through the gateway and
 * the drachtio stand-in: hold both ways (the other side's answer comes back, direction kept),
 * UPDATE, INFO, glare, session refreshes on a long call, and the media-anchored path. Each case
 * asserts what both sipp sides saw and the call record.
 */
import t from 'tap';
import {
  callThrough as call,
  dealerSipp as dealer,
  oneCall,
  received,
  receivedAnswer,
} from '../helpers/call-bed.js';
import { againstRealDrachtio, sessionTimers } from '../helpers/drachtio-peer.js';
import { released, startMediaGateway } from '../helpers/media-bed.js';
import type { SippResult } from '../helpers/sipp.js';
import { fromApp } from '../helpers/standin-bed.js';

function all(r: SippResult, dir: 'sent' | 'received', method: string) {
  return r.messages.filter((m) => m.dir === dir && m.firstLine.startsWith(`${method} `));
}

/** The 200s a sipp caller received, in order (the INVITE's first). */
const okAnswers = (r: SippResult) =>
  r.messages.filter((m) => m.dir === 'received' && m.firstLine.startsWith('SIP/2.0 200'));

t.test(
  'hold from the caller: the dealer gets the re-INVITE, the caller its recvonly answer',
  async (t) => {
    const {
      gw,
      caller: c,
      dealer: dealerSaw,
    } = await oneCall(t, {
      caller: 'uac-hold-expect-recvonly-caller-bye.xml',
      dealer: 'uas-answer-expect-hold-recvonly.xml',
    });
    const invites = all(dealerSaw, 'received', 'INVITE');
    t.equal(invites.length, 2, 'the dealer got the initial INVITE and the hold re-INVITE');
    t.match(invites[1]?.text, /^m=audio 40002 /m, "with the caller's new media port");
    t.match(invites[1]?.text, /^a=sendonly/m, 'and its direction');
    const answer = c.messages.filter(
      (m) => m.dir === 'received' && m.firstLine.startsWith('SIP/2.0 200'),
    )[1];
    t.match(answer?.text, /^o=dealer 1 2 /m, "the caller's 200 carries the dealer's answer");
    t.match(answer?.text, /^a=recvonly/m);
    t.match((await gw.records(1))[0], { outcome: 'answered', endedBy: 'caller' });
  },
);

t.test(
  'SIP-I hold from the caller: a required ISUP part gets 415 here, then the SDP part alone is relayed',
  async (t) => {
    const { gw, caller, dealer } = await oneCall(t, {
      caller: 'uac-sipi-hold-expect-415-then-recvonly-caller-bye.xml',
      dealer: 'uas-answer-expect-hold-recvonly-sipi.xml',
    });
    const refused = receivedAnswer(caller, 415);
    t.match(refused?.text, /^Accept: application\/sdp,\s*multipart\/mixed\r?$/m);
    const invites = all(dealer, 'received', 'INVITE');
    t.equal(invites.length, 2, 'the refused re-INVITE never reached the dealer');
    t.match(invites[1]?.text, /^Content-Type: application\/sdp\r?$/m);
    t.match(invites[1]?.text, /^m=audio 40002 /m, "the caller's new media port");
    t.notMatch(invites[1]?.text, /boundary|ISUP/i, 'nothing of the multipart body');
    const held = okAnswers(caller)[1];
    t.match(held?.text, /^Content-Type: application\/sdp\r?$/m, "the dealer's answer: SDP");
    t.match(held?.text, /^a=recvonly/m);
    t.notMatch(held?.text, /boundary|ISUP/i, 'nothing of its multipart body');
    t.match((await gw.records(1))[0], { outcome: 'answered', endedBy: 'caller' });
  },
);

t.test(
  "a SIP-I dealer's answer to a relayed UPDATE reaches the caller as its SDP part",
  async (t) => {
    const { caller } = await oneCall(t, {
      caller: 'uac-update-hold-expect-recvonly-caller-bye.xml',
      dealer: 'uas-answer-expect-update-recvonly-sipi.xml',
    });
    const updated = okAnswers(caller)[1];
    t.match(updated?.firstLine, /^SIP\/2\.0 200/);
    t.match(updated?.text, /^Content-Type: application\/sdp\r?$/m);
    t.match(updated?.text, /^a=recvonly/m);
    t.notMatch(updated?.text, /boundary|ISUP/i, 'nothing of the multipart body');
  },
);

t.test('hold from the dealer: the caller gets the re-INVITE and answers it', async (t) => {
  const {
    gw,
    caller: c,
    dealer: dealerSaw,
  } = await oneCall(t, {
    caller: 'uac-expect-200-answer-hold-recvonly-caller-bye.xml',
    dealer: 'uas-answer-then-hold-expect-recvonly.xml',
  });
  const reinvite = all(c, 'received', 'INVITE')[0]?.text ?? '';
  t.match(reinvite, /^m=audio 40004 /m, "the dealer's new media");
  const headers = reinvite.slice(0, reinvite.indexOf('\n\n'));
  t.notMatch(headers, /SIPpTag01|dealer@/, 'no header of the dealer leg crossed over');
  const ok = dealerSaw.messages.find(
    (m) =>
      m.dir === 'received' && /^SIP\/2\.0 200/.test(m.firstLine) && /CSeq: 1 INVITE/i.test(m.text),
  );
  t.match(ok?.text, /^o=caller 1 2 /m, "the dealer's 200 carries the caller's answer");
  t.match((await gw.records(1))[0], { outcome: 'answered', endedBy: 'caller' });
});

t.test("UPDATE with SDP is relayed and answered with the other side's SDP", async (t) => {
  const { dealer: dealerSaw } = await oneCall(t, {
    caller: 'uac-update-hold-expect-recvonly-caller-bye.xml',
    dealer: 'uas-answer-expect-update-recvonly.xml',
  });
  t.match(received(dealerSaw, 'UPDATE')?.text, /^m=audio 40002 /m);
});

t.test('INFO (DTMF) is relayed to the other side with its body and type', async (t) => {
  // the dealer's scenario checks the INFO's body and Content-Type
  const { gw } = await oneCall(t, {
    caller: 'uac-info-dtmf-caller-bye.xml',
    dealer: 'uas-answer-expect-info-dtmf.xml',
  });
  t.notOk(gw.logs().includes('"level":50'), 'no error logged');
});

t.test('glare: a dealer re-INVITE while our relayed one is pending gets 491', async (t) => {
  // the dealer's scenario expects the 491 for its crossing re-INVITE
  const { gw, caller: c } = await oneCall(t, {
    caller: 'uac-hold-expect-recvonly-caller-bye.xml',
    dealer: 'uas-answer-reinvite-glare-expect-491.xml',
  });
  t.equal(
    all(c, 'received', 'INVITE').length,
    0,
    "the dealer's crossing re-INVITE never reached the caller",
  );
  t.match((await gw.records(1))[0], { outcome: 'answered', endedBy: 'caller' });
});

/**
 * The "two-hour call", scaled: eight caller refreshes over more than one session interval, while
 * drachtio refreshes the dealer's leg itself. Against the real drachtio-server (90 s sessions)
 * the caller refreshes every 12 s and the dealer asks for 20 s (below Min-SE, which drachtio takes
 * as given on the UAC side), so drachtio refreshes it every 10 ± 5 s: about 100 s in all. On the
 * stand-in, 2 s sessions and a refresh every 900 ms.
 */
const SESSION = sessionTimers();
const REFRESHING = againstRealDrachtio()
  ? { dealerS: 20, everyMs: 12_000 }
  : { dealerS: SESSION.seconds, everyMs: 900 };
/** The call lasts its eight refreshes. */
const CALL_MS = 8 * REFRESHING.everyMs;

t.test(
  'a long call with a short session timer stays up: refreshes on both legs',
  { timeout: CALL_MS + 60_000 },
  async (t) => {
    const { gw, caller, dealer } = await oneCall(
      t,
      {
        // the caller's scenario fails on any refresh not answered 200 with a session timer
        caller: 'uac-session-refresh-8x-caller-bye.xml',
        dealer: 'uas-answer-session-refreshed-until-bye.xml',
      },
      {},
      SESSION.standin,
      {
        keys: { se: String(SESSION.seconds) },
        extraArgs: ['-d', String(REFRESHING.everyMs)],
        dealerKeys: { se: String(REFRESHING.dealerS) },
        timeoutMs: CALL_MS + 30_000,
      },
    );
    const answers = caller.messages.filter(
      (m) =>
        m.dir === 'received' && m.firstLine.startsWith('SIP/2.0 200') && / INVITE$/m.test(m.text),
    );
    t.equal(answers.length, 9, 'the INVITE and its eight refreshes answered 200');
    t.ok(
      answers.every((m) =>
        new RegExp(`^Session-Expires: ${SESSION.seconds};refresher=uac$`, 'm').test(m.text),
      ),
      'each granted the session the caller asked for',
    );
    const refreshes = all(dealer, 'received', 'INVITE').length - 1;
    t.ok(
      refreshes >= CALL_MS / (REFRESHING.dealerS * 1000),
      `drachtio refreshed the dealer's leg (${refreshes} times)`,
    );
    t.notOk(
      fromApp(gw.standin.trace).some((f) => f.sip.startsWith('INVITE sip:placeholder')),
      'no refresh was relayed: each leg keeps its own session',
    );
    t.notOk(
      gw.standin.trace.some((r) => r.kind === 'sip' && /Session timer expired/.test(r.text)),
      'no session expired',
    );
    const [r] = await gw.records(1);
    t.match(r, { outcome: 'answered', endedBy: 'caller' });
    t.ok(
      (r?.talkMs as number) > CALL_MS,
      `the call lasted ${r?.talkMs} ms: over ${(CALL_MS / (SESSION.seconds * 1000)).toFixed(1)} of the caller's session intervals`,
    );
  },
);

t.test(
  'a caller that stops refreshing: drachtio ends its leg, the dealer gets a BYE saying why',
  { timeout: (SESSION.seconds + 60) * 1000 },
  async (t) => {
    const { gw, caller, dealer } = await oneCall(
      t,
      {
        // fails unless drachtio's BYE arrives with the Reason "Session timer expired"
        caller: 'uac-session-no-refresh-expect-bye.xml',
        dealer: 'uas-answer-200.xml',
      },
      {},
      SESSION.standin,
      { keys: { se: String(SESSION.seconds) }, timeoutMs: (SESSION.seconds + 20) * 1000 },
    );
    const granted = caller.messages.find(
      (m) => m.dir === 'received' && m.firstLine.startsWith('SIP/2.0 200'),
    );
    t.match(
      granted?.text,
      new RegExp(`^Session-Expires: ${SESSION.seconds};refresher=uac$`, 'm'),
      'the session the caller asked for, granted',
    );
    t.match(received(caller, 'BYE')?.text, /^Reason: SIP;cause=200;text="Session timer expired"$/m);
    t.match(received(dealer, 'BYE')?.text, /^Reason: SIP;cause=200;text="Session timer expired"/m);
    t.equal(
      fromApp(gw.standin.trace).filter((f) => f.sip.startsWith('BYE ')).length,
      1,
      'one BYE from the app, to the dealer: none to the caller whose session drachtio ended',
    );
    const [r] = await gw.records(1);
    t.match(r, { outcome: 'answered', endedBy: 'session-expired' });
    t.ok(
      (r?.talkMs as number) >= SESSION.seconds * 1000 - 100,
      `the call lasted its session, ${r?.talkMs} ms`,
    );
    t.match(await gw.metrics(), /^calltrack_call_ends_total\{ended_by="session-expired"\} 1$/m);
  },
);

t.test(
  "media-anchored hold: the caller's FreeSWITCH endpoint follows, FreeSWITCH answers",
  async (t) => {
    const d = await dealer('uas-answer-200.xml');
    const gw = await startMediaGateway(t, [{ port: d.port }]);
    const c = await call(gw, 'uac-hold-expect-recvonly-caller-bye.xml');
    t.match(c, { exitCode: 0, counts: { successful: 1 } }, `caller: ${c.errors}`);
    const moved = gw.fs.trace.find(
      (r) =>
        r.kind === 'sip' &&
        r.dir === 'in' &&
        r.firstLine.startsWith('INVITE ') &&
        /m=audio 40002 /.test(r.text),
    );
    t.ok(moved, "FreeSWITCH was re-INVITEd with the caller's new port");
    t.match(moved?.kind === 'sip' ? moved.text : '', /^a=sendonly/m, 'and its direction');
    const answer = c.messages.filter(
      (m) => m.dir === 'received' && m.firstLine.startsWith('SIP/2.0 200'),
    )[1];
    t.match(answer?.text, /^o=FreeSWITCH /m, "the caller's 200 is FreeSWITCH's answer");
    t.match(answer?.text, /^a=recvonly/m);
    const dealerSaw = await d.done;
    t.equal(all(dealerSaw, 'received', 'INVITE').length, 1, 'the dealer was not disturbed');
    t.match((await gw.records(1))[0], { outcome: 'answered', media: { anchored: true } });
    await released(t, gw);
  },
);
