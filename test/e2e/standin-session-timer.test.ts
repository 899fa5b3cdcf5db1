// Session timers (RFC 4028) as drachtio-server v0.9.10 runs them: a caller that refreshes keeps
// its call; one that stops gets a BYE (and the app an unsolicited BYE); a dealer that makes the
// server the refresher gets its re-INVITEs from the server itself, unseen by the app; a
// re-INVITE below Min-SE gets 422. On the stand-in Min-SE is lowered to 1 s so that a session
// lasts 2 s; on the real server (TEST_DRACHTIO_BIN) the sessions take its fixed 90 s.
import t, { type Test } from 'tap';
import { againstRealDrachtio, sessionTimers } from '../helpers/drachtio-peer.js';
import { runSipp, startSipp } from '../helpers/sipp.js';
import { SDP, type SrfApp } from '../helpers/srf-app.js';
import {
  bridge,
  datagrams,
  fromApp,
  gapBetween,
  replyTo,
  standUp,
  toApp,
} from '../helpers/standin-bed.js';
import { waitFor } from '../helpers/wait.js';

const KEYS = { caller: '+4930111222333', called: '+4930100' };
const SESSION = sessionTimers();
/** Three refreshes take the call past one session interval. */
const REFRESH_EVERY_MS = againstRealDrachtio() ? 31_000 : 900;
/**
 * Long enough for the server's second refresh of a leg (due 1.5 intervals after the answer, give
 * or take twice its jitter), too short for a third.
 */
const HOLD_MS = againstRealDrachtio() ? 110_000 : 2500;
/** Time enough for a sipp run of one session, or for a test that waits for two. */
const SIPP_MS = SESSION.seconds * 1000 + 30_000;
const TEST_MS = 2 * SESSION.seconds * 1000 + 60_000;

/** Answers every INVITE as a UAS; the reasons srf gives as the dialogs end. */
function answerAll(app: SrfApp): (string | undefined)[] {
  const ended: (string | undefined)[] = [];
  app.invite(async (req, res) => {
    const dialog = await app.createUAS(req, res, { localSdp: SDP });
    dialog.on('destroy', (_msg, reason) => ended.push(reason));
  });
  return ended;
}

/** The app answers every INVITE; a sipp caller asks for a session and runs `scenario`. */
async function answeredSession(t: Test, scenario: string, extraArgs: string[] = []) {
  const { standin, app } = await standUp(t, SESSION.standin);
  const ended = answerAll(app);
  const caller = await runSipp({
    scenario,
    remote: standin.sipAddress,
    keys: { ...KEYS, se: String(SESSION.seconds) },
    extraArgs,
    timeoutMs: SIPP_MS,
  });
  return { standin, ended, caller };
}

t.test(
  'a caller refreshing keeps its session past its interval',
  { timeout: TEST_MS },
  async (t) => {
    const { standin, ended, caller } = await answeredSession(
      t,
      'standin-uac-session-refresh-3x-caller-bye.xml',
      ['-d', String(REFRESH_EVERY_MS)],
    );
    t.equal(caller.exitCode, 0, `caller refreshed three times and hung up: ${caller.errors}`);
    const ok = replyTo(standin.trace, 'SIP/2.0 200 OK\r\n');
    t.match(
      ok?.sip ?? '',
      new RegExp(`^Session-Expires: ${SESSION.seconds};refresher=uac$`, 'm'),
      'the 200 grants the offer',
    );
    const received = caller.messages.filter((m) => m.dir === 'received').map((m) => m.firstLine);
    t.notOk(received.includes('BYE'), 'the server never hung up');
    t.equal(
      datagrams(standin.trace, 'out').filter((d) => d.firstLine.startsWith('BYE')).length,
      0,
      'no BYE from the server',
    );
    const reinvites = toApp(standin.trace, 'sip').filter((f) =>
      /^CSeq: [234] INVITE$/m.test(f.sip),
    );
    t.equal(reinvites.length, 3, 'the app answered each refresh (srf answers 200 by itself)');
    await waitFor(() => ended[0], 3000, 'dialog end');
    t.same(ended, ['normal release'], 'the call ended with the caller BYE');
  },
);

t.test(
  'a caller that stops refreshing gets a BYE, the app an unsolicited BYE',
  { timeout: TEST_MS },
  async (t) => {
    const { standin, ended, caller } = await answeredSession(
      t,
      'uac-session-no-refresh-expect-bye.xml',
    );
    t.equal(caller.exitCode, 0, `caller got the BYE with the Reason: ${caller.errors}`);
    const gap = gapBetween(standin.trace, /^SIP\/2\.0 200 OK\r\n/, /^BYE /);
    const interval = SESSION.seconds * 1000;
    t.ok(
      gap >= interval - 10 && gap < interval + 1500,
      `BYE one interval after the 200 (${gap} ms)`,
    );
    const bye = caller.messages.find((m) => m.dir === 'received' && m.firstLine.startsWith('BYE'));
    t.match(bye?.text ?? '', /^Reason: SIP;cause=200;text="Session timer expired"$/m);
    await waitFor(() => ended[0], 3000, 'dialog destroyed');
    t.same(ended, ['Session timer expired'], 'srf reads the reason of the unsolicited BYE');
    const unsolicited = toApp(standin.trace, 'sip').find((f) => f.tokens[8] === 'unsolicited');
    t.equal(unsolicited?.tokens[2], 'application', 'source application, as the real server');
    t.match(unsolicited?.sip ?? '', /^BYE sip:\+4930111222333@127\.0\.0\.1:\d+ SIP\/2\.0\r\n/);
    t.notOk(
      fromApp(standin.trace).some((f) => /^CSeq: \d+ BYE$/m.test(f.sip)),
      'srf does not answer an unsolicited BYE (its send is stubbed out)',
    );
  },
);

t.test(
  'a dealer naming refresher=uac gets refreshes from the server, not the app',
  { timeout: TEST_MS },
  async (t) => {
    const { standin, app } = await standUp(t, SESSION.standin);
    const dealer = await startSipp({
      scenario: 'standin-uas-session-uac-refreshes-2x.xml',
      keys: { se: String(SESSION.seconds) },
      timeoutMs: HOLD_MS + 30_000,
    });
    app.invite(async (req, res) => {
      await bridge(app, req, res, `sip:d@127.0.0.1:${dealer.port}`);
    });
    const caller = await runSipp({
      scenario: 'standin-uac-expect-200-hold-caller-bye.xml',
      remote: standin.sipAddress,
      keys: KEYS,
      extraArgs: ['-d', String(HOLD_MS)],
      timeoutMs: HOLD_MS + 30_000,
    });
    const dealt = await dealer.done;
    t.equal(caller.exitCode, 0, `caller: ${caller.errors}`);
    t.equal(dealt.exitCode, 0, `dealer got two refreshes, ACKs and the BYE: ${dealt.errors}`);

    const inviteB = replyTo(standin.trace, /^INVITE sip:d@/)?.sip ?? '';
    const seq = Number(/^CSeq: (\d+) INVITE$/m.exec(inviteB)?.[1]);
    const refreshes = dealt.messages.filter(
      (m) => m.dir === 'received' && m.firstLine.startsWith('INVITE sip:127.0.0.1'),
    );
    t.equal(refreshes.length, 2);
    const first = refreshes[0]?.text ?? '';
    t.match(
      first,
      new RegExp(`^INVITE sip:127\\.0\\.0\\.1:${dealer.port};transport=UDP SIP/2\\.0`),
    );
    t.match(first, new RegExp(`^CSeq: ${seq + 1} INVITE$`, 'm'), 'CSeq continues the dialog');
    t.match(refreshes[1]?.text ?? '', new RegExp(`^CSeq: ${seq + 2} INVITE$`, 'm'));
    t.match(first, new RegExp(`^Session-Expires: ${SESSION.seconds};refresher=uac$`, 'm'));
    t.match(first, new RegExp(`^Min-SE: ${SESSION.minSE}$`, 'm'));
    t.match(first, /^Contact: <sip:\+4930111222333@127\.0\.0\.1:\d+>$/m, 'the B leg Contact');
    t.match(first, /^Content-Type: application\/sdp$/m);
    const body = (text: string) => text.replace(/\r\n/g, '\n').split('\n\n').slice(1).join().trim();
    t.equal(body(first), body(inviteB), 'the B leg offer again');
    const acks = dealt.messages.filter(
      (m) => m.dir === 'received' && m.firstLine.startsWith('ACK'),
    );
    t.match(acks[1]?.text ?? '', new RegExp(`^CSeq: ${seq + 1} ACK$`, 'm'), 'the server ACKs');

    const framesAbout = (n: number) =>
      [...toApp(standin.trace, 'sip'), ...toApp(standin.trace, 'response')].filter((f) =>
        new RegExp(`^CSeq: ${seq + n} `, 'm').test(f.sip),
      );
    t.same([...framesAbout(1), ...framesAbout(2)], [], 'the app saw nothing of either refresh');
    const bye = dealt.messages.find((m) => m.dir === 'received' && m.firstLine.startsWith('BYE'));
    t.match(bye?.text ?? '', new RegExp(`^CSeq: ${seq + 3} BYE$`, 'm'), 'the app BYE follows them');
  },
);

t.test('a re-INVITE below Min-SE gets 422; only its ACK reaches the app', async (t) => {
  const { standin, app } = await standUp(t);
  app.invite(async (req, res) => {
    await app.createUAS(req, res, { localSdp: SDP });
  });
  const caller = await runSipp({
    scenario: 'standin-uac-reinvite-session-30s-expect-422.xml',
    remote: standin.sipAddress,
    keys: KEYS,
  });
  t.equal(caller.exitCode, 0, `caller got 422 and hung up: ${caller.errors}`);
  const got = caller.messages.filter((m) => m.dir === 'received').map((m) => m.firstLine);
  t.same(got, [
    'SIP/2.0 100 Trying',
    'SIP/2.0 200 OK',
    'SIP/2.0 100 Trying',
    'SIP/2.0 422 Session Interval Too Small',
    'SIP/2.0 200 OK',
  ]);
  const rejected = caller.messages.find((m) => m.firstLine.startsWith('SIP/2.0 422'))?.text ?? '';
  t.match(rejected, /^Min-SE: 90$/m, 'with the server Min-SE');
  t.match(rejected, /^CSeq: 2 INVITE$/m);
  const second = toApp(standin.trace, 'sip').filter((f) => /^CSeq: 2 /m.test(f.sip));
  t.same(
    second.map((f) => f.sip.split('\r\n')[0]?.split(' ')[0]),
    ['ACK'],
    'the re-INVITE never reached the app; the ACK of its 422 did (v0.9.10 does so)',
  );
  const up = toApp(standin.trace, 'sip');
  const invite = up.find((f) => f.sip.startsWith('INVITE'));
  const firstAck = up.find((f) => /^CSeq: 1 ACK$/m.test(f.sip));
  t.equal(second[0]?.tokens[4], '', 'as any ACK, without a protocol');
  t.not(second[0]?.tokens[8], invite?.tokens[8], 'with a txnId of its own');
  t.equal(second[0]?.tokens[9], firstAck?.tokens[9], 'inside the dialog');
  t.equal(
    datagrams(standin.trace, 'out').filter((d) => d.firstLine.startsWith('SIP/2.0 422')).length,
    1,
    'the ACK stopped the 422',
  );
});
