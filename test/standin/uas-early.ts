// A request from the network inside an early dialog: its To tag is the one an INVITE still in
// progress got with a provisional answer (sip-dialog-controller.cpp processRequestInsideDialog:
// the invite in progress has no client for its dialog yet, so route_request_inside_dialog finds
// none and the method decides). Seen with v0.9.10 (test/e2e/standin-early-dialog.test.ts).
// - UPDATE (RFC 3311) goes up to the app that has the INVITE, under the INVITE's txnId and dialog
//   id (route_request_inside_invite), and the app answers it under the INVITE's txnId with an
//   UPDATE CSeq (doRespondToSipRequest, containsCseqUpdate). A second one while the first waits
//   gets the server's 500.
// - BYE gets 481 and takes the invite in progress with it: the INVITE gets the stack's 500, the app
//   is not told, and its later answer is refused.
// - A re-INVITE gets 100 Trying and nothing more.
// Every other method is left to uas.ts: a request drachtio routes as if outside any dialog
// (processMessageStatelessly), a PRACK no reliable answer waits for dropped.
import type { AppSip } from './app-headers.js';
import { dialogIdOf } from './dialogs.js';
import { buildResponse } from './responses.js';
import { lingerThenDelete, type ServerTxn, sendTxnResponse } from './server-txn.js';
import { type Endpoint, tagOf } from './sip-address.js';
import { callIdOf, headerValue, type SipRequest } from './sip-message.js';
import { type AppClient, protocolOf, type Stack } from './stack.js';
import { networkMeta, newServerTxn } from './uas.js';
import { echo, responseHeaders, sendFinalWithRetransmit } from './uas-answer.js';
import { sipPayload } from './wire.js';

/** drachtio-server's test of the app's answer: an UPDATE's, not the INVITE's (containsCseqUpdate). */
const CSEQ_UPDATE = /(?:^|\n)cseq:\s*(\d+)\s*UPDATE/i;

/** The INVITE in progress whose early dialog this request is in, if any. */
export function earlyInvite(stack: Stack, req: SipRequest, toTag: string): ServerTxn | undefined {
  const dialogId = dialogIdOf(callIdOf(req), tagOf(headerValue(req.headers, 'from')) ?? '');
  for (const txn of stack.serverTxns.invitesOf(dialogId))
    if (txn.app === 'provisional' && txn.localTag?.toLowerCase() === toTag.toLowerCase())
      return txn;
  return undefined;
}

/** Handles the request (true), or leaves it to the handling outside any dialog (false). */
export function earlyDialogRequest(
  stack: Stack,
  req: SipRequest,
  from: Endpoint,
  bytes: number,
  invite: ServerTxn,
): boolean {
  if (!['UPDATE', 'BYE', 'INVITE'].includes(req.method)) return false;
  const txn = newServerTxn(req, from, bytes, invite.client, false);
  txn.app = 'closed';
  stack.serverTxns.add(txn);
  lingerThenDelete(stack, txn);
  if (req.method === 'INVITE') {
    sendTxnResponse(stack, txn, buildResponse(req, { status: 100 }), 100);
    return true;
  }
  if (req.method === 'BYE') {
    sendTxnResponse(stack, txn, buildResponse(req, { status: 481 }), 481);
    invite.app = 'closed';
    const failed = buildResponse(invite.request, { status: 500, toTag: invite.localTag });
    sendFinalWithRetransmit(stack, invite, failed, 500);
    return true;
  }
  if (invite.earlyUpdate) {
    sendTxnResponse(stack, txn, buildResponse(req, { status: 500 }), 500);
    return true;
  }
  invite.earlyUpdate = txn;
  const frame = sipPayload(networkMeta(from, bytes), invite.txnId, invite.dialogId, req.raw);
  invite.client.send(frame);
  return true;
}

/**
 * The app's answer under an INVITE's txnId: its early UPDATE's (true) when one waits and the
 * answer's CSeq names UPDATE, else the INVITE's own (false).
 */
export function answerEarlyUpdate(
  stack: Stack,
  client: AppClient,
  msgId: string,
  invite: ServerTxn,
  answer: { sip: AppSip; status: number; reason: string },
): boolean {
  const { sip, status, reason } = answer;
  const update = invite.earlyUpdate;
  if (!update || invite.app !== 'provisional' || !CSEQ_UPDATE.test(sip.headerBlock)) return false;
  invite.earlyUpdate = undefined;
  const text = buildResponse(update.request, {
    status,
    reason,
    headers: responseHeaders(stack, update, status, sip),
    body: sip.body,
  });
  sendTxnResponse(stack, update, text, status);
  client.reply(
    msgId,
    'OK',
    echo(update, text, invite.dialogId, protocolOf(update.source), invite.txnId),
  );
  return true;
}
