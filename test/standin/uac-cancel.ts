// The app cancels its own INVITE (`sip|<txnId>|` + CANCEL). The server builds the CANCEL from the
// INVITE (same branch, RFC 3261 9.1), answers the app OK with it at once, and swallows the 200 to
// it: sofia never passes that up. sofia only puts a CANCEL on the wire once the INVITE got a
// provisional response (nta.c nta_outgoing_tcancel, `delay_sending = orq_status < 100`).
import type { AppSip } from './app-headers.js';
import { filterAppHeaders, withoutHeaders } from './app-headers.js';
import { type ClientTxn, newClientTxn, startClientTxn, timeoutResponse } from './client-txn.js';
import { parseBuilt } from './dialog-requests.js';
import { callIdOf, canonicalKey, cseqOf, headerValue, headerValues } from './sip-message.js';
import { buildMessage } from './sip-serialize.js';
import type { AppClient, Stack } from './stack.js';
import { timerD } from './timers.js';
import { deliverResponse } from './uac-responses.js';
import { internalMeta, sentExtra } from './uac-send.js';

/** makeSafeTags: on a CANCEL the app may not touch the dialog-identifying headers. */
const NOT_SAFE = ['from', 'to', 'contact', 'p-asserted-identity', 'call-id', 'cseq'];

export function cancelFromApp(
  stack: Stack,
  client: AppClient,
  msgId: string,
  txnId: string,
  sip: AppSip,
): void {
  const invite = cancellable(stack.clientTxns.byTxnId(txnId), txnId);
  if (typeof invite === 'string') {
    client.reply(msgId, 'NOK', invite);
    return;
  }
  const cancel = buildCancel(stack, invite, sip);
  // The app that asks is answered, whichever connection sent the INVITE; the INVITE's own
  // responses (the 487) still go to that INVITE's connection.
  client.reply(msgId, 'OK', sentExtra(stack, cancel.txnId, cancel.text, invite.to));
  // drachtio starts its 32 s before sofia sends the CANCEL and starts timer D (32 s too, at the
  // default T1): when both run out together drachtio's comes first (seen with v0.9.10)
  invite.stop.push(stack.timers.once(MAX_CANCEL_DURATION, () => forgetCancelled(stack, invite)));
  cancelInvite(stack, invite, cancel);
}

/**
 * ms: drachtio-server's limit on an INVITE the app cancelled (invite-in-progress.cpp
 * MAX_CANCEL_DURATION), counted from the app's CANCEL, whatever T1 and whether the CANCEL went
 * out yet; a final answer before it stops it (IIP::~IIP).
 */
const MAX_CANCEL_DURATION = 32_000;

/**
 * No final answer 32 s after the app's CANCEL: drachtio forgets the invite in progress and the
 * app's transaction (notifyCancelTimeoutReachedIIP), so nothing more of this INVITE reaches the
 * app: not a late 487, not sofia's 408 at timer D (counted from the CANCEL on the wire, which a
 * provisional released later), not a 2xx (no ACK then). sofia still ACKs a failure. Timer C's
 * own CANCEL starts no such wait. Seen with v0.9.10 (T1 50 ms): a CANCEL held until a 180 at
 * 2 s, the app never told of the 487 at 33 s nor of the 408 at 34 s.
 */
function forgetCancelled(stack: Stack, invite: ClientTxn): void {
  if (invite.state !== 'calling' && invite.state !== 'proceeding') return;
  stack.trace.note(
    `cancelled ${invite.request.uri} unanswered for 32 s: the app is told nothing more`,
  );
  invite.client = undefined;
}

/**
 * The INVITE to cancel, or drachtio's refusal. drachtio-server looks it up among its invites in
 * progress, kept from sending until a failure arrives or the app ACKs a 2xx; sofia then refuses
 * an answered or already cancelled INVITE (sip-dialog-controller.cpp doSendCancelRequest).
 */
function cancellable(invite: ClientTxn | undefined, txnId: string): ClientTxn | string {
  const open = invite?.state === 'calling' || invite?.state === 'proceeding';
  const unacked = invite?.state === 'accepted' && !invite.ack;
  if (invite?.method !== 'INVITE' || invite.inDialog || !invite.client || !(open || unacked))
    return `unable to cancel unknown transaction id: ${txnId}`;
  if (unacked || invite.canceled) return `internal server error canceling transaction id: ${txnId}`;
  return invite;
}

/** Cancels an INVITE of ours: on the wire now if it had a provisional, else held back. */
export function cancelInvite(
  stack: Stack,
  invite: ClientTxn,
  cancel: ClientTxn = buildCancel(stack, invite),
): void {
  invite.canceled = true;
  if (invite.state === 'calling') invite.heldCancel = cancel;
  else sendCancel(stack, invite, cancel);
}

/**
 * Puts the CANCEL on the wire. sofia then completes the INVITE (nta.c outgoing_complete): it
 * waits for the final answer until timer D, and reports an internal 408 if none came.
 */
export function sendCancel(stack: Stack, invite: ClientTxn, cancel: ClientTxn): void {
  startClientTxn(stack, cancel, () => {});
  invite.stop.push(
    stack.timers.once(timerD(stack.config), () => {
      if (invite.state === 'calling' || invite.state === 'proceeding')
        deliverResponse(stack, invite, timeoutResponse(invite.request), internalMeta());
    }),
  );
}

function buildCancel(stack: Stack, invite: ClientTxn, sip?: AppSip): ClientTxn {
  const req = invite.request;
  const local = { host: stack.config.host, port: stack.config.port };
  const text = buildMessage(`CANCEL ${req.uri} SIP/2.0`, [
    { name: 'Via', value: req.headers.find((h) => canonicalKey(h.name) === 'via')?.value ?? '' },
    ...headerValues(req.headers, 'route').map((value) => ({ name: 'Route', value })),
    { name: 'Max-Forwards', value: '70' },
    { name: 'From', value: headerValue(req.headers, 'from') ?? '' },
    { name: 'To', value: headerValue(req.headers, 'to') ?? '' },
    { name: 'Call-ID', value: callIdOf(req) },
    { name: 'CSeq', value: `${cseqOf(req).seq} CANCEL` },
    ...(sip ? withoutHeaders(filterAppHeaders(sip.headers, local), NOT_SAFE) : []),
  ]);
  return newClientTxn({
    method: 'CANCEL',
    branch: invite.branch,
    request: parseBuilt(text),
    text,
    to: invite.to,
    client: undefined,
  });
}
