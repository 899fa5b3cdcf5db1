/** The caller's INVITE (drachtio req/res) as the call path's InboundLeg. */
import type { ConnectedLeg, InboundLeg, Provisional } from '../call/ports.js';
import { connectedLeg } from './connected-leg.js';
import type { InFlight } from './in-flight.js';
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
  const untrack = inFlight.inbound({ req, res });
  // nothing can be sent on a dead connection: the orphan cleanup answers after the reconnect
  const open = () => !res.finalResponseSent && !inFlight.lost;
  const accept = async (sdp: string | undefined) => {
    const dialog = await srf.createUAS(req, res, sdp ? { localSdp: sdp } : {});
    untrack();
    return dialog;
  };
  return {
    sdp: req.body || undefined,
    provisional(p: Provisional) {
      if (!open()) return;
      res.send(p.status, {
        headers: { Contact: CONTACT, ...(p.sdp && { 'Content-Type': 'application/sdp' }) },
        ...(p.sdp && { body: p.sdp }),
      });
    },
    earlyMedia(sdp: string) {
      if (!open()) return;
      res.send(183, {
        body: sdp,
        headers: { 'Content-Type': 'application/sdp', Contact: CONTACT },
      });
    },
    reject(status, headers) {
      if (!open()) return;
      untrack();
      res.send(status, headers ? { headers: { ...headers } } : {});
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
      req.on('cancel', () => {
        untrack();
        handler();
      });
    },
  };
}
