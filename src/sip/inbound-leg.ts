/** The caller's INVITE (drachtio req/res) as the call path's InboundLeg. */
import type { ConnectedLeg, InboundLeg, Provisional } from '../call/ports.js';
import { connectedLeg } from './connected-leg.js';
import type { Srf, SrfRequest, SrfResponse } from './srf-types.js';

export function inboundLeg(srf: Srf, req: SrfRequest, res: SrfResponse): InboundLeg {
  return {
    sdp: req.body || undefined,
    provisional(p: Provisional) {
      if (res.finalResponseSent) return;
      res.send(
        p.status,
        p.sdp ? { body: p.sdp, headers: { 'Content-Type': 'application/sdp' } } : {},
      );
    },
    earlyMedia(sdp: string) {
      if (res.finalResponseSent) return;
      // drachtio-server leaves Contact out of a 183 unless the app adds one; `localhost` is
      // replaced by drachtio with its own SIP address
      res.send(183, {
        body: sdp,
        headers: { 'Content-Type': 'application/sdp', Contact: '<sip:calltrack@localhost>' },
      });
    },
    reject(status, headers) {
      if (!res.finalResponseSent) res.send(status, headers ? { headers: { ...headers } } : {});
    },
    async answer(sdp): Promise<ConnectedLeg> {
      return connectedLeg(await srf.createUAS(req, res, sdp ? { localSdp: sdp } : {}));
    },
    onCancel(handler) {
      req.on('cancel', handler);
    },
  };
}
