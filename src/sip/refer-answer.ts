/**
 * Answering a REFER (RFC 3515) with the call path's decision: 400 without a usable Refer-To, the
 * refusal, or 202 and the first NOTIFY; the NOTIFYs that follow go out through the `notify` handed
 * to the call path (message/sipfrag, the last one ending the implicit subscription).
 */
import type { Refer, ReferDecision, ReferNotify } from '../call/ports.js';
import type { InFlight } from './in-flight.js';
import { referOf } from './refer.js';
import type { SrfDialog, SrfRequest, SrfResponse } from './srf-types.js';

export type ReferHandler = (refer: Refer, notify: ReferNotify) => ReferDecision;

export function answerRefer(
  dialog: SrfDialog,
  req: SrfRequest,
  res: SrfResponse,
  handler: ReferHandler,
  inFlight: InFlight,
): void {
  const parsed = referOf(req.get('Refer-To'));
  if (!parsed) {
    res.send(400, 'Missing or invalid Refer-To');
    return;
  }
  const notify: ReferNotify = async (sipfrag, final) => {
    if (!dialog.connected || inFlight.lost) return;
    const sent = dialog.request({
      method: 'NOTIFY',
      headers: {
        Event: 'refer',
        'Subscription-State': final ? 'terminated;reason=noresource' : 'active;expires=60',
        'Content-Type': 'message/sipfrag;version=2.0',
      },
      body: sipfrag,
    });
    await inFlight.untilDropped(sent, undefined).catch(() => undefined);
  };
  const decision = handler(parsed, notify);
  if (!decision.accept) {
    res.send(decision.status, decision.reason);
    return;
  }
  res.send(202);
  // RFC 3515 2.4.4: the first NOTIFY follows the 202 at once; the call path sends the rest
  void notify('SIP/2.0 100 Trying', false);
}
