/** The caller's INVITE (drachtio req/res) as the call path's InboundLeg. */
import type { ConnectedLeg, InboundLeg, Provisional } from '../call/ports.js';
import { connectedLeg } from './connected-leg.js';
import { detached } from './dialog-memory.js';
import type { InFlight, PendingInvite } from './in-flight.js';
import type { Srf, SrfRequest, SrfResponse } from './srf-types.js';

/**
 * drachtio-server adds a Contact to 2xx only; an 18x with a To tag forms an early dialog and needs
 * one (RFC 3261 12.1.1). `localhost` is replaced by drachtio with its own SIP address.
 */
const CONTACT = '<sip:calltrack@localhost>';

export function inboundLeg(
  srf: Srf,
  req: SrfRequest,
  res: SrfResponse,
  inFlight: InFlight,
): InboundLeg {
  // let go once the caller has its final answer: a connected call keeps none of its INVITE
  // (dialog-memory.ts). No closure below names `req` or `res`, or it would keep them.
  let invite: PendingInvite | undefined = { req, res };
  const untrack = inFlight.inbound(invite);
  const settled = () => {
    untrack();
    invite = undefined;
  };
  // nothing can be sent on a dead connection: the orphan cleanup answers after the reconnect
  const open = (i = invite): i is PendingInvite =>
    !!i && !i.res.finalResponseSent && !inFlight.lost;
  const accept = async (sdp: string | undefined) => {
    if (!invite) throw new Error('the caller has had its final answer');
    const dialog = await srf.createUAS(invite.req, invite.res, sdp ? { localSdp: sdp } : {});
    settled();
    return dialog;
  };
  return {
    sdp: detached(req.body || undefined),
    provisional(p: Provisional) {
      const i = invite;
      if (!open(i)) return;
      i.res.send(p.status, {
        headers: { Contact: CONTACT, ...(p.sdp && { 'Content-Type': 'application/sdp' }) },
        ...(p.sdp && { body: p.sdp }),
      });
    },
    earlyMedia(sdp: string) {
      const i = invite;
      if (!open(i)) return;
      i.res.send(183, {
        body: sdp,
        headers: { 'Content-Type': 'application/sdp', Contact: CONTACT },
      });
    },
    reject(status, headers) {
      const i = invite;
      if (!open(i)) return;
      settled();
      i.res.send(status, headers ? { headers: { ...headers } } : {});
    },
    async answer(sdp): Promise<ConnectedLeg> {
      return connectedLeg(await accept(sdp), inFlight);
    },
    async answerWithOffer(offer) {
      const dialog = await accept(offer);
      // the ACK carries the caller's answer (RFC 3264); srf passes it to the dialog's 'ack'
      const answer = await new Promise<string | undefined>((resolve) => {
        dialog.once('ack', (ack) => resolve(ack.body || undefined));
        dialog.once('destroy', () => resolve(undefined));
      });
      return { leg: connectedLeg(dialog, inFlight), answer };
    },
    onCancel(handler) {
      invite?.req.on('cancel', () => {
        untrack();
        handler();
      });
    },
  };
}
