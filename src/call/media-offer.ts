/**
 * An offer inside a media-anchored dialog, answered by FreeSWITCH: the endpoint of that leg is
 * pointed at the new SDP and its answer goes back, so the media follows (a hold's `sendonly` meets
 * FreeSWITCH's `recvonly`). An offerless re-INVITE gets FreeSWITCH's current SDP as our offer, and
 * the ACK's answer moves the endpoint.
 */
import type { DialogAnswer, DialogRequest } from './ports.js';

export async function answeredByMedia(
  req: DialogRequest,
  /** The SDP we last gave this leg: FreeSWITCH's. */
  local: string | undefined,
  update: (sdp: string) => Promise<string>,
): Promise<DialogAnswer> {
  if (req.body) return { status: 200, body: await update(req.body) };
  if (!local) return { status: 488 };
  return {
    status: 200,
    body: local,
    onAck: (answer) => {
      if (answer) void update(answer).catch(() => undefined);
    },
  };
}
