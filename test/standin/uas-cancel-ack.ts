// CANCEL and ACK from the network, the two requests that belong to an INVITE transaction.
import { sendServerBye } from './dialog-requests.js';
import { newTag, newUuid } from './ids.js';
import { buildResponse } from './responses.js';
import type { ServerTxn } from './server-txn.js';
import { branchOf, type Endpoint, tagOf } from './sip-address.js';
import { callIdOf, headerValue, type SipRequest } from './sip-message.js';
import type { Stack } from './stack.js';
import { networkMeta, replyStateless } from './uas.js';
import { endedByStack, uasDialog } from './uas-answer.js';
import { sipPayload } from './wire.js';

export function handleCancel(
  stack: Stack,
  cancel: SipRequest,
  from: Endpoint,
  bytes: number,
): void {
  const matched = stack.serverTxns.match(cancel);
  const callId = callIdOf(cancel);
  const invite =
    matched ??
    stack.serverTxns.pendingInviteByCallId(callId) ??
    stack.serverTxns.earlyInvite(callId, tagOf(headerValue(cancel.headers, 'from')));
  if (invite?.method !== 'INVITE') {
    replyStateless(stack, cancel, from, 481);
    return;
  }
  if (invite.app === 'new' || (invite.canceled && !invite.lastResponse)) {
    cancelPending(stack, invite, cancel, from, bytes);
    return;
  }
  if (!matched && invite.app === 'provisional') {
    cancelOtherBranch(stack, invite, cancel, from);
    return;
  }
  if (invite.lastStatus >= 200 && invite.lastStatus < 300) {
    // RFC 3261: the INVITE transaction is gone once a 2xx was sent.
    replyStateless(stack, cancel, from, 481);
    return;
  }
  stack.sendSip(buildResponse(cancel, { status: 200, toTag: invite.localTag }), from);
  if (invite.lastStatus >= 300 || invite.app === 'closed') return;
  cancelInProgress(stack, invite, cancel);
}

/**
 * The app has not answered yet (drachtio's "quick cancel"): the app gets the CANCEL with the
 * INVITE's txnId and no dialogId, the caller gets 200 and a stateless 487, and any later answer
 * from the app is refused.
 */
function cancelPending(
  stack: Stack,
  invite: ServerTxn,
  cancel: SipRequest,
  from: Endpoint,
  bytes: number,
): void {
  invite.client.send(sipPayload(networkMeta(from, bytes), invite.txnId, '', cancel.raw));
  replyStateless(stack, cancel, from, 200);
  stack.sendSip(buildResponse(invite.request, { status: 487, toTag: newTag() }), invite.source);
  invite.canceled = true;
  invite.app = 'closed';
}

/**
 * A CANCEL on another branch once the app sent an 18x: sofia hands it to the early dialog, where
 * drachtio finds no request in progress and takes it for a "CANCEL after 200 OK": 481, a BYE in
 * the early dialog, the INVITE ended with sofia's 500, and not a word to the app, whose later
 * answer is refused (sip-dialog-controller.cpp processRequestInsideDialog; seen with v0.9.10).
 */
function cancelOtherBranch(stack: Stack, invite: ServerTxn, cancel: SipRequest, from: Endpoint) {
  replyStateless(stack, cancel, from, 481);
  sendServerBye(stack, uasDialog(invite, ''), 'CANCEL after 200 OK');
  endedByStack(stack, invite, 500, 'Internal Server Error');
}

/**
 * The app already sent a provisional answer: sofia answers 200 and 487 itself, statefully and
 * with the dialog's tag; the app gets the CANCEL with the dialogId. drachtio-server takes the
 * meta block from the INVITE, so bytes/address/port are the INVITE's.
 */
function cancelInProgress(stack: Stack, invite: ServerTxn, cancel: SipRequest): void {
  const meta = networkMeta(invite.source, invite.bytes);
  invite.client.send(sipPayload(meta, invite.txnId, invite.dialogId, cancel.raw));
  invite.canceled = true;
  endedByStack(stack, invite, 487, 'Request Terminated');
}

export function handleAck(stack: Stack, ack: SipRequest, from: Endpoint, bytes: number): void {
  const txn = stack.serverTxns.match(ack);
  if (txn && txn.lastStatus >= 300) {
    // ACK for a non-2xx final: ends retransmission and the invite in progress (a later answer
    // from the app is refused); it goes on into its dialog only as ServerTxn.ackGoesUp says.
    txn.retransmit?.();
    txn.app = 'closed';
    if (!txn.ackGoesUp) return;
  }
  const toTag = tagOf(headerValue(ack.headers, 'to')) ?? '';
  const fromTag = tagOf(headerValue(ack.headers, 'from')) ?? '';
  const dialog = stack.dialogs.find(callIdOf(ack), toTag, fromTag);
  if (!dialog) {
    stack.trace.note(`ACK without dialog discarded (${callIdOf(ack)})`);
    return;
  }
  const branch = branchOf(headerValue(ack.headers, 'via'));
  if (dialog.seenAckBranches.has(branch)) return;
  dialog.seenAckBranches.add(branch);
  const invite = stack.serverTxns.awaitingAck(dialog.id);
  if (invite) stack.serverTxns.delete(invite);
  // The ACK completing an INVITE carries that INVITE's txnId (as in the traces); sofia does not
  // keep a transport for ACKs, hence the empty protocol field.
  const txnId = invite ? invite.txnId : newUuid();
  if (!dialog.client.closed) {
    dialog.client.send(sipPayload(networkMeta(from, bytes, ''), txnId, dialog.id, ack.raw));
  }
}
