// The refreshing re-INVITE the server sends on its own when it is the session refresher
// (notifyRefreshDialog, sip-dialog-controller.cpp ~2158) and what it does with the answer
// (processResponseToRefreshingReinvite ~1946): 200 → ACK to its Contact and re-arm, 491 → try
// again next interval, anything else → BYE. Neither the request nor its answer reaches the app.
import { newClientTxn, startClientTxn } from './client-txn.js';
import { buildDialogRequest, terminateDialog } from './dialog-requests.js';
import { type Dialog, nextHop } from './dialogs.js';
import { armFromAnswer, armSessionTimer, minSEHeader, SESSION_EXPIRED } from './session-timer.js';
import { parseNameAddr } from './sip-address.js';
import { headerValue, type SipHeader, type SipResponse } from './sip-message.js';
import type { Stack } from './stack.js';
import { deliverResponse } from './uac-responses.js';
import { internalMeta } from './uac-send.js';

export function sendRefresh(stack: Stack, dialog: Dialog, seconds: number): void {
  const to = nextHop(stack, dialog);
  if (!to) {
    terminateDialog(stack, dialog, SESSION_EXPIRED);
    return;
  }
  dialog.localSeq += 1;
  const headers: SipHeader[] = [
    ...(dialog.localContact ? [{ name: 'Contact', value: dialog.localContact }] : []),
    // sofia parses and re-prints this value, so drachtio's "N; refresher=uac" goes out without the space
    { name: 'Session-Expires', value: `${seconds};refresher=uac` },
    minSEHeader(stack),
    ...(dialog.localSdp ? [{ name: 'Content-Type', value: dialog.localContentType }] : []),
  ];
  const built = buildDialogRequest(stack, dialog, {
    method: 'INVITE',
    cseq: dialog.localSeq,
    headers,
    body: dialog.localSdp,
    to,
  });
  const txn = newClientTxn({
    ...built,
    method: 'INVITE',
    to,
    client: undefined,
    dialogId: dialog.id,
    inDialog: true,
  });
  txn.internal = (_txn, res) => onAnswer(stack, dialog, seconds, res);
  startClientTxn(stack, txn, (t, res) => deliverResponse(stack, t, res, internalMeta()));
}

function onAnswer(stack: Stack, dialog: Dialog, seconds: number, res: SipResponse): void {
  if (res.status < 200 || stack.dialogs.get(dialog.id) !== dialog) return;
  if (res.status === 200) {
    armFromAnswer(stack, dialog, res);
    const contact = headerValue(res.headers, 'contact');
    if (contact) ackTo(stack, dialog, parseNameAddr(contact).uri);
    else stack.trace.note(`200 to refreshing re-INVITE without Contact: not ACKed (${dialog.id})`);
    return;
  }
  if (res.status === 491) {
    armSessionTimer(stack, dialog, seconds, true);
    return;
  }
  // Any other answer, a timeout included, ends the dialog.
  terminateDialog(stack, dialog, SESSION_EXPIRED);
}

/** drachtio builds this ACK itself, to the 200's Contact; the dialog's target stays as it was. */
function ackTo(stack: Stack, dialog: Dialog, uri: string): void {
  const to = nextHop(stack, dialog, uri);
  if (!to) return;
  const ack = buildDialogRequest(stack, dialog, { method: 'ACK', uri, cseq: dialog.localSeq, to });
  stack.sendSip(ack.text, to);
}
