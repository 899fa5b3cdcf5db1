// The FreeSWITCH stand-in against real drachtio-fsmrf 4.1.2 through the drachtio stand-in:
// connect, endpoints both ways, play, modify, bridge, record, hangup from either side.
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { FS_SECRET, type MediaBed, mediaUp } from '../helpers/fsstandin-mrf.js';
import { SDP } from '../helpers/srf-app.js';
import { waitFor } from '../helpers/wait.js';

const DEALER_SDP = SDP.replace('40000', '42000').replace('o=app 1 1', 'o=dealer 7 7');

t.test(
  'connect: auth, HEARTBEAT subscription and sofia status make the media server ready',
  async (t) => {
    const { fs, ms } = await mediaUp(t, { heartbeatMs: 50 });
    t.equal(ms.sip.ipv4.udp.address, `${fs.sipAddress.address}:${fs.sipAddress.port}`);
    await waitFor(() => ms.maxSessions === 1000 || undefined, 10_000, 'a HEARTBEAT');
    t.equal(ms.currentSessions, 0);
    const esl = fs.trace
      .filter((r) => r.kind === 'esl')
      .map((r) => (r.kind === 'esl' ? r.text : ''));
    t.ok(esl.includes('Content-Type: command/reply\nReply-Text: +OK accepted\n\n'));
    t.ok(
      esl.includes('Content-Type: command/reply\nReply-Text: +OK event listener enabled json\n\n'),
    );
  },
);

t.test(
  'createEndpoint with remoteSdp: FreeSWITCH answers, channel data reaches fsmrf',
  async (t) => {
    const { fs, ms } = await mediaUp(t);
    const ep = await ms.createEndpoint({ remoteSdp: SDP });
    const [channel] = fs.channels();
    t.equal(channel?.uuid, ep.uuid);
    t.equal(channel?.role, 'answered-offer');
    t.match(ep.local.sdp, /m=audio \d+ RTP\/AVP 0/);
    t.notMatch(ep.local.sdp, /crypto/);
    t.equal(ep.remote.mediaPort, '40000');
    t.equal(ep.sip.callId, channel?.callId);
    t.same(channel?.remoteMedia, { ip: '127.0.0.1', port: 40000 });
    await ep.destroy();
    t.same(fs.channels(), []);
  },
);

t.test(
  'createEndpoint without SDP: FreeSWITCH offers SRTP+RTP and negotiates SRTP with itself',
  async (t) => {
    const { fs, ms } = await mediaUp(t);
    const ep = await ms.createEndpoint();
    t.match(ep.local.sdp, /m=audio \d+ RTP\/SAVP [\s\S]*a=crypto:[\s\S]*m=audio \d+ RTP\/AVP/);
    const [channel] = fs.channels();
    t.equal(channel?.role, 'made-offer');
    t.equal(channel?.srtp, true);
    await ep.modify(DEALER_SDP);
    const pitfalls = fs.channels()[0]?.pitfalls;
    t.same(pitfalls, ['srtp-self-negotiated', 'srtp-to-plain-peer']);
    await ep.destroy();
  },
);

t.test(
  'srtpOffer false (rtp_secure_media_inbound=forbidden): plain offer, no pitfall',
  async (t) => {
    const { fs, ms } = await mediaUp(t, { srtpOffer: false });
    const ep = await ms.createEndpoint();
    t.notMatch(ep.local.sdp, /SAVP|crypto/);
    await ep.modify(DEALER_SDP);
    t.same(fs.channels()[0]?.pitfalls, []);
    t.equal(fs.channels()[0]?.remoteMedia?.port, 42000);
    await ep.destroy();
  },
);

t.test('modify: re-INVITE → 200 → ACK, fsmrf re-reads the channel through uuid_dump', async (t) => {
  const { fs, ms } = await mediaUp(t, { srtpOffer: false });
  const ep = await ms.createEndpoint({ remoteSdp: SDP });
  const before = ep.local.sdp;
  await ep.modify(DEALER_SDP);
  t.equal(ep.remote.mediaPort, '42000');
  t.not(ep.local.sdp, before, 'the o= version moved on');
  const sent = fs.trace.filter((r) => r.kind === 'sip' && r.dir === 'in');
  const invites = sent.filter((r) => r.kind === 'sip' && r.firstLine.startsWith('INVITE'));
  t.equal(invites.length, 2);
  const acks = sent.filter((r) => r.kind === 'sip' && r.firstLine.startsWith('ACK'));
  t.equal(acks.length, 2);
  await ep.destroy();
});

t.test('play: FILE PLAYED with playback variables; a missing file rejects', async (t) => {
  const { fs, ms } = await mediaUp(t, { files: { 'whisper/sixt.wav': 30 } });
  const ep = await ms.createEndpoint({ remoteSdp: SDP });
  const result = await ep.play('whisper/sixt.wav');
  t.equal(result.playbackMilliseconds, '30');
  t.equal(result.playbackSeconds, '0');
  await t.rejects(ep.play('whisper/missing.wav'), /File Not Found/);
  const plays = fs.trace.flatMap((r) =>
    r.kind === 'play' ? [[r.channel.uuid, r.file, r.result]] : [],
  );
  t.same(plays, [
    [ep.uuid, 'whisper/sixt.wav', 'FILE PLAYED'],
    [ep.uuid, 'whisper/missing.wav', 'FILE NOT FOUND'],
  ]);
  t.same(fs.channels()[0]?.played, ['whisper/sixt.wav']);
  await ep.destroy();
});

t.test(
  'bridge: uuid_bridge ends the ringback with PLAYBACK ERROR and pairs the channels',
  async (t) => {
    const { fs, ms } = await mediaUp(t, { srtpOffer: false });
    const caller = await ms.createEndpoint({ remoteSdp: SDP });
    const dealer = await ms.createEndpoint();
    const ringback = caller.play('tone_stream://%(1000,4000,425);loops=-1');
    await dealer.modify(DEALER_SDP);
    await caller.bridge(dealer);
    await ringback;
    const views = new Map(fs.channels().map((c) => [c.uuid, c]));
    t.equal(views.get(caller.uuid)?.bridgedTo, dealer.uuid);
    t.equal(views.get(dealer.uuid)?.bridgedTo, caller.uuid);
    const ring = fs.trace.find((r) => r.kind === 'play' && r.channel.uuid === caller.uuid);
    t.equal(ring?.kind === 'play' && ring.result, 'PLAYBACK ERROR');
    await t.rejects(caller.bridge('no-such-uuid'), /Invalid uuid/);
    // FreeSWITCH hangs the surviving leg up when a uuid_bridge ends: the dealer endpoint is destroyed.
    const dealerGone = new Promise<unknown>((resolve) => dealer.once('destroy', resolve));
    await caller.destroy();
    await dealerGone;
    await waitFor(() => fs.channels().length === 0 || undefined, 10_000, 'no channels');
    t.same(fs.channels(), []);
  },
);

t.test('destroy: hangup execute → BYE with Q.850 reason, channel gone', async (t) => {
  const { fs, ms } = await mediaUp(t);
  const ep = await ms.createEndpoint({ remoteSdp: SDP });
  await ep.destroy();
  const bye = fs.trace.find(
    (r) => r.kind === 'sip' && r.dir === 'out' && r.firstLine.startsWith('BYE'),
  );
  t.match(bye?.kind === 'sip' && bye.text, /Reason: Q\.850;cause=16;text="NORMAL_CLEARING"/);
  t.same(fs.channels(), []);
  t.ok(fs.trace.some((r) => r.kind === 'hangup' && r.by === 'app' && r.channel.uuid === ep.uuid));
});

t.test('far-end BYE: the endpoint emits destroy and the channel is gone', async (t) => {
  const { fs, ms } = await mediaUp(t);
  const ep = await ms.createEndpoint({ remoteSdp: SDP });
  // A BYE before fsmrf's `event`/`filter` commands arrive would only close the socket.
  await waitFor(
    () =>
      fs.trace.some((r) => r.kind === 'esl' && r.text.startsWith(`filter Unique-ID ${ep.uuid}`)) ||
      undefined,
    10_000,
    'the filter',
  );
  const destroyed = new Promise<unknown>((resolve) => ep.once('destroy', resolve));
  const dialog = ep.dialog as unknown as { destroy(): Promise<unknown> };
  await dialog.destroy();
  const info = await destroyed;
  t.same(info, { reason: 'NORMAL_CLEARING' });
  t.same(fs.channels(), []);
  t.ok(fs.trace.some((r) => r.kind === 'hangup' && r.by === 'far-end'));
});

t.test('a bridged partner is hung up when the other leg goes', async (t) => {
  const { fs, ms } = await mediaUp(t, { srtpOffer: false });
  const a = await ms.createEndpoint({ remoteSdp: SDP });
  const b = await ms.createEndpoint({ remoteSdp: DEALER_SDP });
  await a.bridge(b);
  const aGone = new Promise<unknown>((resolve) => a.once('destroy', resolve));
  await b.destroy();
  await aGone;
  await waitFor(() => fs.channels().length === 0 || undefined, 10_000, 'no channels');
  t.pass();
});

/** What the stand-in traced about recordings, in order: opened, stopped, failed. */
function recordTrace(fs: MediaBed['fs']) {
  return fs.trace.flatMap((r) =>
    r.kind === 'record' || r.kind === 'record-stop' || r.kind === 'record-failed' ? [r] : [],
  );
}

t.test(
  'recordSession writes a file; record() on a bridged leg wedges the channel visibly',
  async (t) => {
    const { fs, ms } = await mediaUp(t, { srtpOffer: false });
    const a = await ms.createEndpoint({ remoteSdp: SDP });
    const b = await ms.createEndpoint({ remoteSdp: DEALER_SDP });
    await a.bridge(b);
    await a.recordSession('calls/rec-1.wav');
    const path = join(fs.recordDir, 'calls/rec-1.wav');
    t.ok(existsSync(path) && statSync(path).size > 44, 'a recording file exists');
    t.same(fs.channels().find((c) => c.uuid === a.uuid)?.recordings, [path]);
    void b.record('calls/bad.wav');
    await waitFor(() => fs.trace.find((r) => r.kind === 'pitfall'), 10_000, 'the pitfall');
    t.same(fs.channels().find((c) => c.uuid === b.uuid)?.pitfalls, ['record-on-bridged-leg']);
    t.ok(
      existsSync(join(fs.recordDir, 'calls/bad.wav')),
      'the file was opened before the read loop that never ends',
    );
    t.notOk(
      fs.trace.some((r) => r.kind === 'record-stop'),
      'the record never completes',
    );
  },
);

t.test(
  'record on an unbridged leg: runs to its limit, or uuid_break ends it with the file kept',
  async (t) => {
    const { fs, ms } = await mediaUp(t);
    const ep = await ms.createEndpoint({ remoteSdp: SDP });
    // `record` does not make directories: the deployment provides them
    mkdirSync(join(fs.recordDir, 'vm'));
    const limited = await ep.record('vm/limit.wav', { timeLimitSecs: 1 });
    const limitMs = Number(limited.recordMilliseconds);
    t.match(
      recordTrace(fs).find((r) => r.kind === 'record-stop'),
      { path: join(fs.recordDir, 'vm/limit.wav'), endedBy: 'limit', ms: limitMs },
      'ended by its time limit',
    );
    // FreeSWITCH ends when whole epoch seconds since the start exceed the limit, frame by frame
    t.ok(limitMs > 1000 && limitMs <= 2000, `over the 1 s limit, at most 1 s over: ${limitMs}`);
    t.equal(limitMs % 20, 0, 'whole 20 ms frames');
    t.equal(limited.recordSeconds, String(Math.floor(limitMs / 1000)));
    t.equal(limited.recordSamples, String(limitMs * 8), '8 kHz samples');
    const broken = ep.record('vm/broken.wav', { timeLimitSecs: 60 });
    await waitFor(
      () => fs.channels()[0]?.recordings.length === 2 || undefined,
      10_000,
      'recording',
    );
    await ep.api('uuid_break', ep.uuid);
    const result = await broken;
    t.match(
      recordTrace(fs).filter((r) => r.kind === 'record-stop')[1],
      { path: join(fs.recordDir, 'vm/broken.wav'), endedBy: 'break' },
      'ended by the break, not the limit',
    );
    t.ok(Number(result.recordMilliseconds) < 60_000, 'shorter than the limit');
    const path = join(fs.recordDir, 'vm/broken.wav');
    t.ok(existsSync(path) && statSync(path).size > 44, 'the file is there, closed');
    t.same(fs.channels()[0]?.pitfalls, [], 'no pitfall: the leg is not bridged');
    await ep.destroy();
  },
);

t.test(
  'record into a directory that does not exist: completes at once, nothing created, the leg hung up',
  async (t) => {
    const { fs, ms } = await mediaUp(t);
    const ep = await ms.createEndpoint({ remoteSdp: SDP });
    const destroyed = new Promise<unknown>((resolve) => ep.once('destroy', resolve));
    const dir = join(fs.recordDir, 'voicemail');
    const path = join(dir, 'msg-1.wav');
    // had it recorded, it would end at its limit with record_ms set
    const result = await ep.record(path, { timeLimitSecs: 1 });
    t.notOk(
      result.recordSeconds ?? result.recordMilliseconds ?? result.recordSamples,
      'fsmrf resolves, without record_* variables: nothing was recorded',
    );
    t.same(await destroyed, { reason: 'DESTINATION_OUT_OF_ORDER' }, 'FreeSWITCH hung the leg up');
    t.notOk(existsSync(dir), 'no directory made');
    t.notOk(existsSync(path), 'no file');
    t.match(recordTrace(fs), [
      { kind: 'record-failed', app: 'record', path, error: 'ENOENT', log: /Error Opening File/ },
    ]);
    t.equal(recordTrace(fs).length, 1, 'no RECORD_START, no RECORD_STOP');
    const completed = fs.trace.findIndex(
      (r) => r.kind === 'execute' && r.app === 'record' && r.response === '_none_',
    );
    const hungUp = fs.trace.findIndex(
      (r) => r.kind === 'hangup' && r.by === 'stand-in' && r.cause === 'DESTINATION_OUT_OF_ORDER',
    );
    t.ok(completed >= 0 && hungUp > completed, 'CHANNEL_EXECUTE_COMPLETE _none_, then the hangup');
    const bye = fs.trace.find(
      (r) => r.kind === 'sip' && r.dir === 'out' && r.firstLine.startsWith('BYE'),
    );
    t.match(
      bye?.kind === 'sip' && bye.text,
      /Reason: Q\.850;cause=27;text="DESTINATION_OUT_OF_ORDER"/,
    );
    await waitFor(() => fs.channels().length === 0 || undefined, 10_000, 'no channels');
    t.same(fs.channels(), []);
  },
);

t.test(
  'record_session into a directory that does not exist: FreeSWITCH makes it and opens the file',
  async (t) => {
    const { fs, ms } = await mediaUp(t);
    const ep = await ms.createEndpoint({ remoteSdp: SDP });
    const path = join(fs.recordDir, 'recordings', '2024', 'call-1.wav');
    const evt = await ep.recordSession(path);
    t.equal(evt.getHeader('Application-Response'), '_none_');
    t.ok(existsSync(path) && statSync(path).size > 44, 'the directories made, the file opened');
    t.same(fs.channels()[0]?.recordings, [path]);
    t.match(recordTrace(fs), [{ kind: 'record', app: 'record_session', path }]);
    t.notOk(evt.getHeader('variable_record_completion_cause'), 'no uri-failure');
    await ep.destroy();
  },
);

t.test(
  'record_session where no directory can be made: completes at once, the leg stays up, uri-failure',
  async (t) => {
    const { fs, ms } = await mediaUp(t, { files: { 'prompt.wav': 20 } });
    const ep = await ms.createEndpoint({ remoteSdp: SDP });
    const blocker = join(fs.recordDir, 'not-a-dir');
    writeFileSync(blocker, '');
    const path = join(blocker, 'call-1.wav');
    const evt = await ep.recordSession(path);
    t.equal(evt.getHeader('Application-Response'), '_none_', 'fsmrf resolves all the same');
    t.equal(evt.getHeader('variable_record_completion_cause'), 'uri-failure', 'the only sign');
    t.notOk(existsSync(path), 'no file');
    t.match(recordTrace(fs), [
      { kind: 'record-failed', app: 'record_session', path, log: `Error creating ${blocker}` },
    ]);
    t.same(fs.channels()[0]?.recordings, []);
    const api = await ep.api('uuid_record', `${ep.uuid} start ${path}`);
    t.match(api.body, /^-ERR Cannot record session!/, 'uuid_record says so');
    t.equal((await ep.play('prompt.wav')).playbackMilliseconds, '20', 'the leg is still up');
    t.equal(fs.channels().length, 1);
    await ep.destroy();
  },
);

t.test(
  'record_session that cannot open its file hangs up only with RECORD_HANGUP_ON_ERROR',
  async (t) => {
    const { fs, ms } = await mediaUp(t);
    const ep = await ms.createEndpoint({ remoteSdp: SDP });
    const path = join(fs.recordDir, 'a-directory.wav');
    mkdirSync(path);
    await ep.recordSession(path);
    t.equal(fs.channels().length, 1, 'without it the leg stays up');
    await ep.execute('set', 'RECORD_HANGUP_ON_ERROR=true');
    const destroyed = new Promise<unknown>((resolve) => ep.once('destroy', resolve));
    const evt = await ep.recordSession(path);
    t.equal(evt.getHeader('Application-Response'), '_none_');
    t.same(await destroyed, { reason: 'DESTINATION_OUT_OF_ORDER' });
    t.match(
      recordTrace(fs).map((r) => (r.kind === 'record-failed' ? r.log : r.kind)),
      [`Error opening ${path}`, `Error opening ${path}`],
    );
  },
);

t.test(
  'uuid_break while nothing runs: the next playback ends at once (CF_BREAK stays set)',
  async (t) => {
    const { fs, ms } = await mediaUp(t, { files: { 'vm/greeting.wav': 5000 } });
    const ep = await ms.createEndpoint({ remoteSdp: SDP });
    await ep.api('uuid_break', ep.uuid);
    const r = await ep.play('vm/greeting.wav');
    t.equal(r.playbackMilliseconds, '0', 'broken before its first frame, not played for 5 s');
    const next = await ep.play('tone_stream://%(100,0,800)');
    t.equal(next.playbackMilliseconds, '50', 'the break is consumed once: the next prompt plays');
    t.same(
      fs.trace.flatMap((x) => (x.kind === 'play' ? [x.result] : [])),
      ['FILE PLAYED', 'FILE PLAYED'],
    );
    t.equal(fs.channels()[0]?.pitfalls.length, 0);
    await ep.destroy();
  },
);

t.test('wrong secret: -ERR invalid, disconnect notice, socket closed', async (t) => {
  const { fs } = await mediaUp(t);
  const { createConnection } = await import('node:net');
  const socket = createConnection(fs.eslAddress.port, fs.eslAddress.address);
  let text = '';
  socket.on('data', (d: Buffer) => {
    text += d.toString('utf8');
    if (text.includes('auth/request') && !text.includes('sent')) {
      text += 'sent';
      socket.write('auth ');
      socket.write(`${FS_SECRET}-wrong\n\n`);
    }
  });
  await new Promise((resolve) => socket.on('close', resolve));
  t.match(text, /Reply-Text: -ERR invalid\n\n/);
  t.match(
    text,
    /Content-Type: text\/disconnect-notice\nContent-Length: 67\n\nDisconnected, goodbye\./,
  );
});
