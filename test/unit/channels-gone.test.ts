/**
 * The steps on an anchored call's FreeSWITCH channels end when a channel goes (fsmrf's `destroy`,
 * also on a closed event socket) or, for requests, at their deadline: fsmrf itself leaves them
 * pending for ever when FreeSWITCH dies.
 */
import { EventEmitter } from 'node:events';
import t from 'tap';
import { ChannelGoneError, watchChannels } from '../../src/media/channels-gone.js';
import type { FsEndpoint } from '../../src/media/fsmrf-types.js';
import { DeadlineError } from '../../src/util/deadline.js';

/** Only what the watch uses: `connected` and the `destroy` event. */
function endpoint(connected = true): FsEndpoint & EventEmitter {
  return Object.assign(new EventEmitter(), { connected }) as unknown as FsEndpoint & EventEmitter;
}
const never = new Promise<never>(() => undefined);

t.test('a play pending for ever ends when either channel goes', async (t) => {
  const [caller, dealer] = [endpoint(), endpoint()];
  const ch = watchChannels([caller, dealer]);
  const playing = ch.untilGone(never, 'whisper');
  dealer.emit('destroy');
  await t.rejects(playing, new ChannelGoneError('whisper'));
  await t.resolves(ch.gone);
});

t.test('a request pending for ever ends at its deadline while the channels stay', async (t) => {
  const ch = watchChannels([endpoint(), endpoint()], 30);
  const err = await ch.request(never, 'uuid_bridge').catch((e: unknown) => e);
  t.type(err, DeadlineError);
  t.match((err as Error).message, /FreeSWITCH uuid_bridge did not finish within 30 ms/);
});

t.test('a channel gone before the watch began: every step fails at once', async (t) => {
  const ch = watchChannels([endpoint(false), endpoint()]);
  await t.rejects(ch.request(never, 'the re-INVITE'), { name: 'ChannelGoneError' });
});

t.test('a step that finishes first keeps its value and its error', async (t) => {
  const ch = watchChannels([endpoint(), endpoint()], 1000);
  t.equal(await ch.request(Promise.resolve('answer'), 'modify'), 'answer');
  await t.rejects(ch.untilGone(Promise.reject(new Error('refused')), 'play'), /refused/);
});
