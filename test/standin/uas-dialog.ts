// A request from the network inside a known dialog (sip-dialog-controller.cpp
// processRequestInsideDialog): 100 Trying for a re-INVITE, the session timer of a re-INVITE or
// UPDATE (422 below Min-SE, never shown to the app), then up to the dialog's app with a fresh
// txnId. A BYE ends the dialog on receipt. If the dialog's app connection is gone the server
// answers 481 itself: dialogs stay bound to the connection that made them, a new one gets nothing.
// The app may take its time to answer: see `awaitApp`.
import type { Dialog } from './dialogs.js';
import { buildResponse } from './responses.js';
import { lingerThenDelete, type ServerTxn, sendTxnResponse } from './server-txn.js';
import { minSEHeader, peerRefresh } from './session-timer.js';
import type { Endpoint } from './sip-address.js';
import type { SipHeader, SipRequest } from './sip-message.js';
import type { Stack } from './stack.js';
import { networkMeta, newServerTxn } from './uas.js';
import { sendFinalWithRetransmit } from './uas-answer.js';
import { sipPayload } from './wire.js';

export function inDialogRequest(
  stack: Stack,
  req: SipRequest,
  from: Endpoint,
  bytes: number,
  dialog: Dialog,
): void {
  const txn = newServerTxn(req, from, bytes, dialog.client, false);
  txn.inDialogId = dialog.id;
  stack.serverTxns.add(txn);
  if (req.method === 'INVITE') {
    txn.lastResponse = buildResponse(req, { status: 100 });
    stack.sendSip(txn.lastResponse, from);
  }
  const refreshes = req.method === 'INVITE' || req.method === 'UPDATE';
  if (refreshes && !peerRefresh(stack, dialog, req)) {
    reject(stack, txn, 422, [minSEHeader(stack)]);
    return;
  }
  if (req.method === 'BYE') endDialog(stack, dialog);
  if (dialog.client.closed) {
    // "unable to find client for dialog": not even a new connection of the same app gets it.
    reject(stack, txn, 481);
    return;
  }
  awaitApp(stack, txn, dialog);
  dialog.client.send(sipPayload(networkMeta(from, bytes), txn.txnId, dialog.id, req.raw));
}

/** ms: drachtio-server's wait for the app's answer to a BYE (sip-dialog-controller.cpp timeoutBye). */
const BYE_ANSWER_TIMEOUT = 32_000;

/**
 * How long the request waits for the app. No SIP timer ends a server transaction sofia has not
 * answered (nta.c: the `proceeding` queue has no timeout), and drachtio keeps the irq with its
 * dialog ("we are relying on the client to eventually respond", processRequestInsideDialog): an
 * answer minutes later still goes out, and the peer's retransmissions meanwhile are absorbed,
 * not passed up again. The dialog's end answers it 500 (dialogs.ts). A BYE ended the dialog
 * already: drachtio destroys its irq after 32 s whatever T1, and an unanswered one gets the 500
 * then. (Seen with v0.9.10 for an INFO answered after 8 s and one still open at the app's BYE;
 * the BYE's case is read from the source: drachtio-srf answers every BYE at once.)
 */
function awaitApp(stack: Stack, txn: ServerTxn, dialog: Dialog): void {
  const unanswered = () => {
    if (txn.app === 'new') reject(stack, txn, 500);
  };
  if (txn.method === 'BYE') {
    txn.stop.push(stack.timers.once(BYE_ANSWER_TIMEOUT, unanswered));
    return;
  }
  dialog.dangling ??= new Map();
  dialog.dangling.set(txn.txnId, unanswered);
}

/**
 * drachtio-server clears the dialog on receipt of BYE, before anyone answers it; an app's
 * re-INVITE still waiting for its answer is forgotten (its responses no longer go up).
 */
function endDialog(stack: Stack, dialog: Dialog): void {
  stack.dialogs.remove(dialog.id);
  const unacked = stack.serverTxns.awaitingAck(dialog.id);
  if (unacked) stack.serverTxns.delete(unacked);
  const reinvite = stack.clientTxns.pendingReinvite(dialog.id);
  if (reinvite) reinvite.client = undefined;
}

/** A final answer from the server itself on the request's transaction; the app gets nothing (an
 * INVITE's ACK aside: ServerTxn.ackGoesUp). */
function reject(stack: Stack, txn: ServerTxn, status: number, headers: SipHeader[] = []): void {
  txn.app = 'closed';
  const text = buildResponse(txn.request, { status, headers });
  if (txn.method === 'INVITE') {
    txn.ackGoesUp = true;
    sendFinalWithRetransmit(stack, txn, text, status);
    return;
  }
  sendTxnResponse(stack, txn, text, status);
  lingerThenDelete(stack, txn);
}
