/**
 * The two FreeSWITCH channels of one anchored call, and the rule every step on them follows: it
 * ends when either channel goes. fsmrf settles nothing pending on a channel whose event socket
 * closed (a SIGKILLed FreeSWITCH): a playback waits for a CHANNEL_EXECUTE_COMPLETE, a re-INVITE
 * for an answer, an api command for its reply, for ever, and the call with them. The endpoint's
 * `destroy` is the one thing that does come (fsmrf emits it on `esl::end`), so each step races it.
 * Requests (as opposed to prompts, whose length is the dialplan's) are also bounded in time: a
 * switch that hangs without closing its sockets ends the step too.
 */
import { withDeadline } from '../util/deadline.js';
import type { FsEndpoint } from './fsmrf-types.js';

/**
 * A re-INVITE and the uuid_dump after it, uuid_bridge, uuid_break, record_session's start: a live
 * FreeSWITCH answers each in milliseconds (seconds under heavy load); a caller is long gone by
 * this.
 */
export const REQUEST_TIMEOUT_MS = 10_000;

/** A step on a call's channel that could not finish: FreeSWITCH ended the channel or went away. */
export class ChannelGoneError extends Error {
  constructor(what: string) {
    super(`FreeSWITCH channel gone during ${what}`);
    this.name = 'ChannelGoneError';
  }
}

export type ChannelsGone = {
  /** Resolves once either channel is gone (FreeSWITCH hung it up, its event socket closed, released). */
  readonly gone: Promise<void>;
  /** `work`, or ChannelGoneError once a channel goes first. For prompts: no time bound. */
  untilGone<T>(work: Promise<T>, what: string): Promise<T>;
  /** The same, and a DeadlineError after the request timeout. */
  request<T>(work: Promise<T>, what: string): Promise<T>;
};

/** `timeoutMs`: the bound on requests (tests shorten it). */
export function watchChannels(
  endpoints: readonly FsEndpoint[],
  timeoutMs = REQUEST_TIMEOUT_MS,
): ChannelsGone {
  const gone = new Promise<void>((resolve) => {
    for (const ep of endpoints) {
      // already gone before we looked (its event socket closed while the other was made)
      if (!ep.connected) resolve();
      else ep.once('destroy', () => resolve());
    }
  });
  const untilGone = <T>(work: Promise<T>, what: string): Promise<T> =>
    Promise.race([
      work,
      gone.then((): never => {
        throw new ChannelGoneError(what);
      }),
    ]);
  return {
    gone,
    untilGone,
    request: (work, what) =>
      untilGone(
        withDeadline(work, timeoutMs, `FreeSWITCH ${what}`, () => undefined),
        what,
      ),
  };
}
