/**
 * The call path's MediaPort on FreeSWITCH (drachtio-fsmrf): the caller's offer anchored in one
 * endpoint with ringback, a second endpoint whose SDP is offered to the dealers. That second
 * endpoint is created from a plain RTP/AVP placeholder offer: left to make its own offer,
 * FreeSWITCH offers SRTP+RTP, gets its own SDP back in the ACK, negotiates SRTP with itself and
 * keeps sending SRTP to the dealer after the re-INVITE (silence).
 */
import type { EventEmitter } from 'node:events';
import {
  type MediaAnchor,
  MediaBusyError,
  type MediaPort,
  type Prompt,
} from '../call/media-port.js';
import type { Logger } from '../observability/logger.js';
import { delay } from '../util/delay.js';
import { type ChannelsGone, watchChannels } from './channels-gone.js';
import { type FsEndpoint, type FsMediaServer, throughSrf } from './fsmrf-types.js';
import type { Lease, MediaServers } from './servers.js';

/** The German ringback tone (425 Hz, 1 s on, 4 s off), until the bridge breaks it. */
export const RINGBACK = 'tone_stream://%(1000,4000,425);loops=-1';
const RELEASE_TIMEOUT_MS = 2000;
/** Played after the voicemail greeting: record from here. */
export const BEEP = 'tone_stream://%(500,0,1000)';

const PLACEHOLDER_SDP = [
  'v=0',
  'o=calltrack 0 0 IN IP4 127.0.0.1',
  's=-',
  'c=IN IP4 127.0.0.1',
  't=0 0',
  'm=audio 9 RTP/AVP 0 8 101',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:101 telephone-event/8000',
  'a=fmtp:101 0-16',
  'a=sendrecv',
  '',
].join('\r\n');

export class NoMediaServerError extends Error {
  constructor() {
    super('no media server connected');
    this.name = 'NoMediaServerError';
  }
}

/** `srf`: the drachtio-server the calls using this port came from (default: the Mrf's). */
export function fsMediaPort(servers: MediaServers, logger: Logger, srf?: EventEmitter): MediaPort {
  const held = new Set<Lease>();
  // drachtio-srf drops the requests of a connection that closed without settling them: their
  // anchors would count against the server until the hold limit
  srf?.on('close', () => {
    for (const lease of held) lease.done();
    held.clear();
  });
  return {
    async anchor(callerSdp, opts) {
      const lease = servers.take();
      if (lease === undefined) throw new NoMediaServerError();
      if (lease === 'busy') throw new MediaBusyError();
      const ms = srf === undefined ? lease.ms : throughSrf(lease.ms, srf);
      held.add(lease);
      // counted until FreeSWITCH settles it, also when the call's deadline gave up on it
      try {
        return anchored(...(await endpoints(ms, callerSdp)), logger, opts?.ringback !== false);
      } finally {
        held.delete(lease);
        lease.done();
      }
    },
  };
}

/** The caller's endpoint, then the dealer's; neither left behind when the second fails. */
async function endpoints(
  ms: FsMediaServer,
  callerSdp: string | undefined,
): Promise<[FsEndpoint, FsEndpoint]> {
  // a late-offer caller: never let FreeSWITCH make the offer itself (SRTP pitfall above)
  const caller = await ms.createEndpoint({ remoteSdp: callerSdp ?? PLACEHOLDER_SDP });
  try {
    return [caller, await ms.createEndpoint({ remoteSdp: PLACEHOLDER_SDP })];
  } catch (err) {
    await destroyBounded(caller);
    throw err;
  }
}

function anchored(
  caller: FsEndpoint,
  dealer: FsEndpoint,
  logger: Logger,
  ringbackNow: boolean,
): MediaAnchor {
  let releasing: Promise<void> | undefined;
  // every step below ends when a channel goes: fsmrf would leave it pending for ever
  const ch = watchChannels([caller, dealer]);
  /** The caller's ringback while it plays; the bridge ends it with PLAYBACK ERROR. */
  let ringing: Promise<void> | undefined;
  const ringback = () => {
    const playing: Promise<void> = ch
      .untilGone(caller.play(RINGBACK), 'ringback')
      .then(
        () => undefined,
        () => undefined,
      )
      .finally(() => {
        if (ringing === playing) ringing = undefined;
      });
    ringing = playing;
  };
  /**
   * Ends the ringback and waits until it has: uuid_break sets a flag the running app consumes,
   * so with nothing running it would break the next prompt instead.
   */
  const stopRingback = async () => {
    const playing = ringing;
    if (!playing) return;
    await ch.request(caller.api('uuid_break', caller.uuid), 'uuid_break');
    await Promise.race([playing, delay(RELEASE_TIMEOUT_MS)]);
  };
  if (ringbackNow) ringback();
  const ended = new Promise<void>((resolve) => {
    for (const ep of [caller, dealer])
      ep.once('destroy', () => {
        if (!releasing) resolve();
      });
  });
  let interrupted = false;
  return {
    callerSdp: caller.local.sdp,
    // a transfer target is offered what the dealer's endpoint has now
    get dealerSdp() {
      return dealer.local.sdp;
    },
    ended,
    async connectDealer(sdp) {
      if (!sdp) throw new Error('the dealer answered without SDP');
      await ch.request(dealer.modify(sdp), "the re-INVITE with the dealer's SDP");
    },
    whisper: (prompt: Prompt) => playPrompt(dealer, prompt, ch, logger, 'whisper'),
    resumeRingback() {
      if (!ringing && caller.connected) ringback();
    },
    async stopWhisper() {
      await ch.request(dealer.api('uuid_break', dealer.uuid), 'uuid_break').catch(() => undefined);
    },
    updateCaller: (sdp) => ch.request(modified(caller, sdp), "the re-INVITE with the caller's SDP"),
    updateDealer: (sdp) => ch.request(modified(dealer, sdp), "the re-INVITE with the dealer's SDP"),
    async notice(prompt: Prompt, ringbackAfter: () => boolean) {
      const played = await playPrompt(caller, prompt, ch, logger, 'recording notice');
      if (caller.connected && ringbackAfter()) ringback();
      return played;
    },
    async bridge() {
      await ch.request(caller.bridge(dealer), 'uuid_bridge');
    },
    async record(path: string) {
      // record_session on the bridged caller leg records both sides; `record` would hang the leg
      const done = await ch.request(caller.recordSession(path), 'record_session');
      // it completes either way: a file it could not open is only in the completion cause
      const cause = done?.getHeader('variable_record_completion_cause');
      if (cause === 'uri-failure') throw new Error(`FreeSWITCH could not record into ${path}`);
    },
    async voicemail(v) {
      try {
        // the endless ringback would hold every app queued behind it
        await stopRingback();
        // a greeting that cannot play (file missing) must not cost the caller the message
        if (!interrupted) await playPrompt(caller, v.greeting, ch, logger, 'voicemail greeting');
        if (!interrupted) await playPrompt(caller, { tone: BEEP }, ch, logger, 'voicemail beep');
        if (interrupted) return 'recorded';
        // bounded by the limit on a live switch; by the channel going on a dead one
        const recorded = await ch.untilGone(
          caller.record(v.path, { timeLimitSecs: v.maxSeconds }),
          'record',
        );
        // no record_ms: FreeSWITCH could not open the file (and hangs the leg up)
        if (recorded.recordMilliseconds == null) throw new Error('FreeSWITCH recorded nothing');
        return 'recorded';
      } catch (err) {
        logger.warn({ err, voicemail: v.path }, 'voicemail recording failed');
        return 'failed';
      }
    },
    async interrupt() {
      interrupted = true;
      // uuid_break ends a playback or a record app; the record app closes its file first
      await ch.request(caller.api('uuid_break', caller.uuid), 'uuid_break').catch(() => undefined);
    },
    release() {
      releasing ??= Promise.all([destroyBounded(caller), destroyBounded(dealer)]).then(
        () => undefined,
      );
      return releasing;
    },
  };
}

/** Re-INVITEs an endpoint with the far end's new SDP; FreeSWITCH's answer. */
async function modified(ep: FsEndpoint, sdp: string): Promise<string> {
  const answer = await ep.modify(sdp);
  return typeof answer === 'string' && answer ? answer : ep.local.sdp;
}

/** Plays a dialplan prompt on one endpoint; a prompt that cannot play is logged, never thrown. */
async function playPrompt(
  ep: FsEndpoint,
  prompt: Prompt,
  ch: ChannelsGone,
  logger: Logger,
  what: string,
): Promise<'played' | 'failed'> {
  const uri = prompt.file ?? toneStream(prompt.tone);
  if (!uri) return 'failed';
  try {
    await ch.untilGone(ep.play(uri), what);
    return 'played';
  } catch (err) {
    logger.warn({ err, prompt: uri }, `${what} failed`);
    return 'failed';
  }
}

/** A dialplan tone as written (`%(300,0,800)`) or with its `tone_stream://` prefix. */
function toneStream(tone: string | undefined): string | undefined {
  if (!tone) return undefined;
  return tone.startsWith('tone_stream://') ? tone : `tone_stream://${tone}`;
}

/** destroy() waits for FreeSWITCH's BYE, which may never come when the channel is gone. */
async function destroyBounded(ep: FsEndpoint): Promise<void> {
  await Promise.race([ep.destroy().catch(() => undefined), delay(RELEASE_TIMEOUT_MS)]);
}
