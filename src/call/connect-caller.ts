/**
 * One answered dealer and the caller brought together: the media steps when anchored (whisper,
 * notice, bridge), then the caller's 200, in the offer/answer shape the call has: the caller's
 * offer answered, or (late offer) our offer in the 200 and the caller's answer in its ACK.
 */
import type { MediaFlow } from './media-flow.js';
import type { ConnectedLeg, DialResult, InboundLeg } from './ports.js';

/** Both legs up; `local` is the SDP the caller got from us. */
export type Connected = { caller: ConnectedLeg; dealer: ConnectedLeg; local: string | undefined };

/** A late-offer caller's ACK without an answer breaks RFC 3264: the call cannot go on. */
export const NO_ANSWER_IN_ACK = 'SIP;cause=488;text="no SDP answer in ACK"';

/**
 * The caller connected to the dealer who answered; undefined when the dealer hung up before
 * (during the whisper or the notice). `checkpoint` throws once the call must not be answered any
 * more (the caller cancelled, the gateway stops it).
 */
export async function connectCaller(
  result: Exclude<DialResult, { kind: 'failed' }>,
  inbound: InboundLeg,
  media: MediaFlow | undefined,
  checkpoint: () => void,
): Promise<Connected | undefined> {
  checkpoint();
  if (result.kind === 'offered') {
    // late offer, signalling only: the dealer's offer to the caller, the caller's answer back
    const { leg, answer } = await inbound.answerWithOffer(result.offer);
    if (!answer) return brokenAck(leg, result.release);
    return { caller: leg, dealer: await result.accept(answer), local: result.offer };
  }
  const dealer = result.leg;
  if (!media?.anchored) {
    if (!result.sdp) throw new Error('the dealer answered without SDP');
    return { caller: await inbound.answer(result.sdp), dealer, local: result.sdp };
  }
  if ((await media.prepare(result.sdp, dealer.ended)) === 'declined') return undefined;
  checkpoint();
  // the caller's own offer: bridged (and recorded) before its 200; a late offer: the 200 first,
  // the caller's answer moves its endpoint (and hears the notice), then the bridge
  const lateOffer = inbound.sdp === undefined;
  if (!lateOffer) {
    await media.connect();
    checkpoint();
  }
  const caller = await answerFromMedia(inbound, media, true, () => dealer.hangup(NO_ANSWER_IN_ACK));
  if (lateOffer) await media.connect();
  return { caller: caller.leg, dealer, local: caller.local };
}

/**
 * The caller's 200 with FreeSWITCH's SDP: the answer to the caller's offer, or (late offer) our
 * offer, whose answer in the ACK then moves the caller's endpoint (with the recording notice when
 * `withNotice`). `releaseDealer` runs when the caller's ACK brings no answer.
 */
export async function answerFromMedia(
  inbound: InboundLeg,
  media: MediaFlow,
  withNotice: boolean,
  releaseDealer: () => Promise<void>,
): Promise<{ leg: ConnectedLeg; local: string | undefined }> {
  const offer = media.callerSdp;
  if (inbound.sdp !== undefined) return { leg: await inbound.answer(offer), local: offer };
  const { leg, answer } = await inbound.answerWithOffer(offer ?? '');
  if (!answer) return brokenAck(leg, releaseDealer);
  await media.answered(answer, withNotice);
  return { leg, local: offer };
}

async function brokenAck(caller: ConnectedLeg, releaseDealer: () => Promise<void>): Promise<never> {
  await Promise.all([caller.hangup(NO_ANSWER_IN_ACK), releaseDealer()]);
  throw new Error('the caller ACKed our offer without an answer');
}
