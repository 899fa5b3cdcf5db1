/**
 * A request the gateway sends inside a dialog (re-INVITE, UPDATE, INFO), and its outcome as plain
 * values: srf's answers and rejections become a status, an offerless re-INVITE's offer comes with
 * the ACK to send.
 */
import type { DialogRequest, DialogResult } from '../call/ports.js';
import { responseSdp, untypedSdp } from '../edge/sdp-body.js';
import { type SrfDialog, sipStatusOf } from './srf-types.js';

export async function sendInDialog(dialog: SrfDialog, r: DialogRequest): Promise<DialogResult> {
  if (!dialog.connected) return { status: 481 };
  try {
    // srf gives a re-INVITE's answer without its headers: a SIP-I body is told by its shape
    if (r.method === 'INVITE' && r.body)
      return { status: 200, body: untypedSdp(await dialog.modify(r.body)) };
    if (r.method === 'INVITE') {
      const offered = await dialog.modify(undefined, { noAck: true });
      if (typeof offered === 'string') return { status: 200, body: untypedSdp(offered) };
      return {
        status: 200,
        body: untypedSdp(offered.sdp),
        ack: async (sdp) => {
          (dialog.local as { sdp?: string }).sdp = sdp;
          offered.ack(sdp);
        },
      };
    }
    const res = await dialog.request({
      method: r.method,
      ...(r.body && { body: r.body }),
      ...(r.contentType && { headers: { 'Content-Type': r.contentType } }),
    });
    const contentType = res.get('Content-Type');
    // an UPDATE's answer is SDP (its SDP part); an INFO's answer goes back as it came
    if (r.method === 'UPDATE') {
      const sdp = responseSdp(contentType, res.body);
      return { status: res.status ?? 500, ...(sdp && { body: sdp }) };
    }
    return {
      status: res.status ?? 500,
      ...(res.body && { body: res.body }),
      ...(contentType && { contentType }),
    };
  } catch (err) {
    return { status: sipStatusOf(err) ?? 500 };
  }
}
