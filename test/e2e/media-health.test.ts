/**
 * Media beside the call: /readyz and metrics follow the FreeSWITCH connection, a number without
 * media options keeps the signalling-only path, a whisper that fails is noted and counted, and a
 * call whose media server is gone still reaches the dealer without media.
 */
import t from 'tap';
import {
  callThrough as call,
  dealerSipp as dealer,
  firstLines,
  received,
} from '../helpers/call-bed.js';
import { type MediaGateway, plays, startMediaGateway, WHISPER } from '../helpers/media-bed.js';
import { passed } from '../helpers/sipp.js';
import { waitFor } from '../helpers/wait.js';

const readyz = async (gw: MediaGateway) => {
  const res = await fetch(`http://127.0.0.1:${gw.httpPort}/readyz`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

t.test('/readyz and the metric report a FreeSWITCH that is down', async (t) => {
  const gw = await startMediaGateway(t, [{ port: 9 }], {}, undefined, { READYZ_DETAIL: 'on' });
  const up = await readyz(gw);
  t.equal(up.status, 200);
  t.match(up.body, { freeswitch: true, detail: { freeswitch: /^127\.0\.0\.1:\d+ connected$/ } });
  const before = await gw.metrics();
  t.match(before, /^calltrack_media_servers_connected 1$/m);
  t.match(before, /^calltrack_media_servers_configured 1$/m, 'the alert tells this from no media');
  t.match(before, /^calltrack_ready 1$/m);
  await gw.fs.close();
  const down = await waitFor(
    async () => {
      const r = await readyz(gw);
      return r.status === 503 ? r : undefined;
    },
    15_000,
    'readyz 503',
  );
  t.equal(down.status, 503, 'not ready without a media server');
  t.match(down.body, {
    status: 'not ready',
    freeswitch: false,
    drachtio: true,
    detail: { freeswitch: /^127\.0\.0\.1:\d+ down: connection lost$/ },
  });
  const after = await gw.metrics();
  t.match(after, /^calltrack_media_servers_connected 0$/m);
  t.match(after, /^calltrack_ready 0$/m, 'calltrack_ready follows /readyz');
  await waitFor(() => /connect ECONNREFUSED/.test(gw.logs()) || undefined, 15_000, 'a reconnect');
  t.match(
    (await readyz(gw)).body,
    { detail: { freeswitch: /down: connect ECONNREFUSED/ } },
    'reconnect attempts say why they fail',
  );
});

t.test('a number without media options keeps the signalling-only path', async (t) => {
  const d = await dealer('uas-answer-200.xml');
  const gw = await startMediaGateway(t, [{ port: d.port }], {}, []);
  const c = await call(gw, 'uac-expect-200-caller-bye.xml');
  t.match(c, { exitCode: 0, counts: { successful: 1 } });
  t.notOk(
    firstLines(c, 'received').some((l) => l.startsWith('SIP/2.0 183')),
    'no early media from FreeSWITCH',
  );
  t.match(received(await d.done, 'INVITE')?.text, /o=caller/, "the dealer got the caller's SDP");
  t.equal(gw.fs.trace.filter((r) => r.kind === 'channel').length, 0, 'no FreeSWITCH channel');
  const [r] = await gw.records(1);
  t.match(r, { outcome: 'answered' });
  t.notOk(r && 'media' in r, 'no media in the record');
});

t.test('a tone whisper plays on the dealer leg', async (t) => {
  const d = await dealer('uas-answer-200.xml');
  const tone = '%(300,0,800)';
  const gw = await startMediaGateway(t, [{ port: d.port }], {}, [
    'options:',
    '  whisper:',
    `    tone: "${tone}"`,
  ]);
  t.match(await call(gw, 'uac-expect-183-then-200-caller-bye.xml'), { exitCode: 0 });
  await passed(t, d, 'dealer');
  const whisper = plays(gw.fs).find((p) => p.file === `tone_stream://${tone}`);
  t.ok(whisper, 'the tone played');
  t.match((await gw.records(1))[0], { media: { anchored: true, whisper: 'played' } });
});

t.test('a whisper file that is missing: noted, counted, the call still connects', async (t) => {
  const d = await dealer('uas-answer-200.xml');
  const gw = await startMediaGateway(t, [{ port: d.port }], { files: {} });
  const c = await call(gw, 'uac-expect-183-then-200-caller-bye.xml');
  t.match(c, { exitCode: 0, counts: { successful: 1 } }, 'the caller was connected');
  await passed(t, d, 'dealer');
  t.match((await gw.records(1))[0], {
    outcome: 'answered',
    media: { anchored: true, whisper: 'failed' },
  });
  t.match(plays(gw.fs).find((p) => p.file === WHISPER)?.result, 'FILE NOT FOUND');
  t.match(await gw.metrics(), /^calltrack_media_errors_total\{step="whisper"\} 1$/m);
  await waitFor(() => gw.fs.channels().length === 0 || undefined, 15_000, 'released');
  t.same(gw.fs.channels(), []);
});

t.test('media server gone: the call reaches the dealer without media', async (t) => {
  const d = await dealer('uas-answer-200.xml');
  const gw = await startMediaGateway(t, [{ port: d.port }]);
  await gw.fs.close();
  await waitFor(async () => (await readyz(gw)).status === 503 || undefined, 15_000, 'down');
  const c = await call(gw, 'uac-expect-200-caller-bye.xml');
  t.match(c, { exitCode: 0, counts: { successful: 1 } }, 'the caller was connected');
  await passed(t, d, 'dealer');
  t.match((await gw.records(1))[0], {
    outcome: 'answered',
    media: { anchored: false, error: 'anchor-failed' },
  });
  t.match(await gw.metrics(), /^calltrack_media_errors_total\{step="anchor"\} 1$/m);
});
