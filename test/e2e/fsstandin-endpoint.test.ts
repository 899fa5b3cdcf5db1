// The FreeSWITCH stand-in against real drachtio-fsmrf 4.1.2 through the drachtio stand-in:
// connect, endpoints both ways, play, modify, bridge, record, hangup from either side.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { FS_SECRET, mediaUp } from '../helpers/fsstandin-mrf.js';
import { SDP } from '../helpers/srf-app.js';
import { waitFor } from '../helpers/wait.js';

const DEALER_SDP = SDP.replace('40000', '42000').replace('o=app 1 1', 'o=dealer 7 7');

t.test(
  'connect: auth, HEARTBEAT subscription and sofia status make the media server ready',
  async (t) => {
    const { fs, ms } = await mediaUp(t, { heartbeatMs: 50 });
    t.equal(ms.sip.ipv4.udp.address, `${fs.sipAddress.address}:${fs.sipAddress.port}`);
    await waitFor(() => ms.maxSessions === 1000 || undefined, 2000, 'a HEARTBEAT');
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
    await waitFor(() => fs.channels().length === 0 || undefined, 2000, 'no channels');
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
    2000,
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
  await waitFor(() => fs.channels().length === 0 || undefined, 2000, 'no channels');
  t.pass();
});

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
    await waitFor(() => fs.trace.find((r) => r.kind === 'pitfall'), 2000, 'the pitfall');
    t.same(fs.channels().find((c) => c.uuid === b.uuid)?.pitfalls, ['record-on-bridged-leg']);
    t.equal(existsSync(join(fs.recordDir, 'calls/bad.wav')), false);
  },
);

t.test(
  'record on an unbridged leg: runs to its limit, or uuid_break ends it with the file kept',
  async (t) => {
    const { fs, ms } = await mediaUp(t);
    const ep = await ms.createEndpoint({ remoteSdp: SDP });
    const limited = await ep.record('vm/limit.wav', { timeLimitSecs: 1 });
    t.ok(Number(limited.recordMilliseconds) >= 1000, 'ended at its time limit');
    const broken = ep.record('vm/broken.wav', { timeLimitSecs: 60 });
    await waitFor(() => fs.channels()[0]?.recordings.length === 2 || undefined, 2000, 'recording');
    await ep.api('uuid_break', ep.uuid);
    const result = await broken;
    t.ok(Number(result.recordMilliseconds) < 60_000, 'ended by the break, not the limit');
    const path = join(fs.recordDir, 'vm/broken.wav');
    t.ok(existsSync(path) && statSync(path).size > 44, 'the file is there, closed');
    t.same(fs.channels()[0]?.pitfalls, [], 'no pitfall: the leg is not bridged');
    await ep.destroy();
  },
);

t.test(
  'uuid_break while nothing runs: the next playback ends at once (CF_BREAK stays set)',
  async (t) => {
    const { fs, ms } = await mediaUp(t, { files: { 'vm/greeting.wav': 5000 } });
    const ep = await ms.createEndpoint({ remoteSdp: SDP });
    await ep.api('uuid_break', ep.uuid);
    const started = Date.now();
    const r = await ep.play('vm/greeting.wav');
    t.ok(Date.now() - started < 2000, 'broken at once, not played for 5 s');
    t.ok(Number(r.playbackMilliseconds) < 2000);
    const again = Date.now();
    await ep.play('tone_stream://%(100,0,800)');
    t.ok(Date.now() - again >= 40, 'the break is consumed once: the next prompt plays');
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
