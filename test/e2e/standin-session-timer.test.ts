// Session timers (RFC 4028) as drachtio-server v0.9.10 runs them, with Min-SE lowered to 1 s so
// that a session lasts 2 s: a caller that refreshes keeps its call; one that stops gets a BYE
// (and the app an unsolicited BYE); a dealer that makes the server the refresher gets its
// re-INVITEs from the server itself, unseen by the app; a re-INVITE below Min-SE gets 422.
import t from 'tap';
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
const SHORT = { minSE: 1, sessionTimerJitter: 0 };

/** Answers every INVITE as a UAS; the reasons srf gives as the dialogs end. */
function answerAll(app: SrfApp): (string | undefined)[] {
  const ended: (string | undefined)[] = [];
  app.invite(async (req, res) => {
    const dialog = await app.createUAS(req, res, { localSdp: SDP });
    dialog.on('destroy', (_msg, reason) => ended.push(reason));
  });
  return ended;
}

t.test('a caller refreshing every 900 ms keeps a 2 s session for 3 s', async (t) => {
  const { standin, app } = await standUp(t, SHORT);
  const ended = answerAll(app);
  const caller = await runSipp({
    scenario: 'standin-uac-session-2s-refresh-3x-caller-bye.xml',
    remote: standin.sipAddress,
    keys: KEYS,
  });
  t.equal(caller.exitCode, 0, `caller refreshed three times and hung up: ${caller.errors}`);
  const ok = replyTo(standin.trace, 'SIP/2.0 200 OK\r\n');
  t.match(ok?.sip ?? '', /^Session-Expires: 2;refresher=uac$/m, 'the 200 grants the offer');
  const received = caller.messages.filter((m) => m.dir === 'received').map((m) => m.firstLine);
  t.notOk(received.includes('BYE'), 'the server never hung up');
  t.equal(
    datagrams(standin.trace, 'out').filter((d) => d.firstLine.startsWith('BYE')).length,
    0,
    'no BYE from the server',
  );
  const reinvites = toApp(standin.trace, 'sip').filter((f) => /^CSeq: [234] INVITE$/m.test(f.sip));
  t.equal(reinvites.length, 3, 'the app answered each refresh (srf answers 200 by itself)');
  await waitFor(() => ended[0], 3000, 'dialog end');
  t.same(ended, ['normal release'], 'the call ended with the caller BYE');
});

t.test('a caller that stops refreshing gets a BYE, the app an unsolicited BYE', async (t) => {
  const { standin, app } = await standUp(t, SHORT);
  const ended = answerAll(app);
  const caller = await runSipp({
    scenario: 'uac-session-no-refresh-expect-bye.xml',
    remote: standin.sipAddress,
    keys: { ...KEYS, se: '2' },
  });
  t.equal(caller.exitCode, 0, `caller got the BYE with the Reason: ${caller.errors}`);
  const gap = gapBetween(standin.trace, /^SIP\/2\.0 200 OK\r\n/, /^BYE /);
  t.ok(gap >= 1990 && gap < 3500, `BYE one interval after the 200 (${gap} ms)`);
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
});

t.test('a dealer naming refresher=uac gets refreshes from the server, not the app', async (t) => {
  const { standin, app } = await standUp(t, SHORT);
  const dealer = await startSipp({ scenario: 'standin-uas-session-2s-uac-refreshes-2x.xml' });
  app.invite(async (req, res) => {
    await bridge(app, req, res, `sip:d@127.0.0.1:${dealer.port}`);
  });
  const caller = await runSipp({
    scenario: 'standin-uac-expect-200-hold-2500ms-caller-bye.xml',
    remote: standin.sipAddress,
    keys: KEYS,
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
  t.match(first, new RegExp(`^INVITE sip:127\\.0\\.0\\.1:${dealer.port};transport=UDP SIP/2\\.0`));
  t.match(first, new RegExp(`^CSeq: ${seq + 1} INVITE$`, 'm'), 'CSeq continues the dialog');
  t.match(refreshes[1]?.text ?? '', new RegExp(`^CSeq: ${seq + 2} INVITE$`, 'm'));
  t.match(first, /^Session-Expires: 2;refresher=uac$/m);
  t.match(first, /^Min-SE: 1$/m);
  t.match(first, /^Contact: <sip:\+4930111222333@127\.0\.0\.1:\d+>$/m, 'the B leg Contact');
  t.match(first, /^Content-Type: application\/sdp$/m);
  const body = (text: string) => text.replace(/\r\n/g, '\n').split('\n\n').slice(1).join().trim();
  t.equal(body(first), body(inviteB), 'the B leg offer again');
  const acks = dealt.messages.filter((m) => m.dir === 'received' && m.firstLine.startsWith('ACK'));
  t.match(acks[1]?.text ?? '', new RegExp(`^CSeq: ${seq + 1} ACK$`, 'm'), 'the server ACKs');

  const framesAbout = (n: number) =>
    [...toApp(standin.trace, 'sip'), ...toApp(standin.trace, 'response')].filter((f) =>
      new RegExp(`^CSeq: ${seq + n} `, 'm').test(f.sip),
    );
  t.same([...framesAbout(1), ...framesAbout(2)], [], 'the app saw nothing of either refresh');
  const bye = dealt.messages.find((m) => m.dir === 'received' && m.firstLine.startsWith('BYE'));
  t.match(bye?.text ?? '', new RegExp(`^CSeq: ${seq + 3} BYE$`, 'm'), 'the app BYE follows them');
});

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
