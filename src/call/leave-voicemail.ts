/**
 * Nobody answered and the number takes voicemail: the caller is answered (200 with FreeSWITCH's
 * SDP) and leaves a message. The record's outcome stays what the dealers did; the session says so.
 */
import type { Logger } from '../observability/logger.js';
import type { MediaFlow } from './media-flow.js';
import type { ConnectedLeg, EndedBy } from './ports.js';

export type VoicemailEnd =
  | { sipStatus: 200; answeredAt: number; endedBy: EndedBy }
  /** The caller was gone before the voicemail answered. */
  | { sipStatus: 487; answeredAt?: undefined };

/** `answering`: the caller's 200 under way; it rejects when the caller or the gateway ends the call. */
export async function leaveVoicemail(
  answering: Promise<{ leg: ConnectedLeg }>,
  media: MediaFlow,
  stopping: Promise<EndedBy>,
  o: { logger: Logger; now: () => number; onAnswered: () => void },
): Promise<VoicemailEnd> {
  let caller: ConnectedLeg;
  try {
    caller = (await answering).leg;
  } catch (err) {
    o.logger.info({ err }, 'caller gone before the voicemail answered');
    return { sipStatus: 487 };
  }
  const answeredAt = o.now();
  o.onAnswered();
  const callerGone = caller.ended.then((): EndedBy => 'caller');
  const stop = Promise.race([callerGone, stopping]);
  const left = await media.voicemail(stop);
  const endedBy = await Promise.race([stop, Promise.resolve<EndedBy>('gateway')]);
  if (endedBy !== 'caller' && endedBy !== 'signalling-lost') await caller.hangup();
  o.logger.info({ voicemail: left, endedBy }, 'voicemail ended');
  return { sipStatus: 200, answeredAt, endedBy };
}
