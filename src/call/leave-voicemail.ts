/**
 * Nobody answered and the number takes voicemail: the caller is answered (200 with FreeSWITCH's
 * SDP) and leaves a message. The record's outcome stays what the dealers did; the session says so.
 */
import type { Logger } from '../observability/logger.js';
import { endOf } from './connected-call.js';
import type { MediaFlow } from './media-flow.js';
import { answeredByMedia } from './media-offer.js';
import type { ConnectedLeg, EndedBy } from './ports.js';

/** What leaving a message needs of the call's media. */
type Voicemail = Pick<MediaFlow, 'mediaAnchor' | 'voicemail'>;

export type VoicemailEnd =
  | { sipStatus: 200; answeredAt: number; endedBy: EndedBy }
  /** The caller was gone before the voicemail answered. */
  | { sipStatus: 487; answeredAt?: undefined };

/** `answering`: the caller's 200 under way; it rejects when the caller or the gateway ends the call. */
export async function leaveVoicemail(
  answering: Promise<{ leg: ConnectedLeg; local: string | undefined }>,
  media: Voicemail,
  stopping: Promise<EndedBy>,
  o: { logger: Logger; now: () => number; onAnswered: () => void },
): Promise<VoicemailEnd> {
  let caller: ConnectedLeg;
  try {
    const answered = await answering;
    caller = answered.leg;
    answerOffers(caller, media, answered.local);
  } catch (err) {
    o.logger.info({ err }, 'caller gone before the voicemail answered');
    return { sipStatus: 487 };
  }
  const answeredAt = o.now();
  o.onAnswered();
  // a caller our 200 never reached is lost, as on a connected call
  const callerGone = caller.ended.then((how) => endOf(how, 'caller'));
  const stop = Promise.race([callerGone, stopping]);
  const left = await media.voicemail(stop);
  const endedBy = await Promise.race([stop, Promise.resolve<EndedBy>('gateway')]);
  if (endedBy !== 'caller' && endedBy !== 'signalling-lost') await caller.hangup();
  o.logger.info({ voicemail: left, endedBy }, 'voicemail ended');
  return { sipStatus: 200, answeredAt, endedBy };
}

/**
 * The caller's re-INVITE or UPDATE (a hold, a new media address) moves its FreeSWITCH endpoint,
 * as in a connected call; its INFO has nobody to go to and is taken. A leg without a handler
 * would keep them waiting (connected-leg.ts). A second offer while FreeSWITCH still answers the
 * first gets 500 (with Retry-After: dialog-answers.ts), as RFC 3261 14.2 and RFC 3311 5.2 ask.
 */
function answerOffers(caller: ConnectedLeg, media: Voicemail, answered: string | undefined): void {
  let local = answered;
  let answering = false;
  caller.onRequest(async (req) => {
    const anchor = media.mediaAnchor;
    if (req.method === 'INFO') return { status: 200 };
    if (!anchor) return { status: 488 };
    if (answering) return { status: 500 };
    answering = true;
    try {
      const a = await answeredByMedia(req, local, (sdp) => anchor.updateCaller(sdp));
      if (a.status < 300 && a.body) local = a.body;
      return a;
    } finally {
      answering = false;
    }
  });
}
