// Which thing a `sip` frame from an app is, checked in drachtio-server's order: a response; a
// request inside the given dialog; a CANCEL of the app's own INVITE; a new request outside any
// dialog. client.cpp also looks a dialog-less request's Call-ID up, but with keys
// `<callid>;uas|;uac` (sip-dialog-controller.hpp findDialogByCallId) that no dialog id has
// (`<callid>;from-tag=…`): the request goes out as a new one (observed with v0.9.10).
import { parseAppSip } from './app-headers.js';
import type { AppClient, Stack } from './stack.js';
import { cancelFromApp } from './uac-cancel.js';
import { sendInDialog } from './uac-dialog.js';
import { sendOutsideDialog } from './uac-send.js';
import { answerFromApp } from './uas-answer.js';
import type { AppFrame } from './wire.js';

/** Returns false when drachtio-server would hang up on the app. */
export function handleAppSip(stack: Stack, client: AppClient, frame: AppFrame): boolean {
  const [, , txnId = '', dialogId = '', proxy = ''] = frame.tokens;
  const sip = parseAppSip(frame.sip);
  if (sip.startLine.startsWith('SIP/')) {
    if (!txnId) {
      client.reply(frame.msgId, 'NO', 'transaction id missing');
      return false;
    }
    answerFromApp(stack, client, frame.msgId, txnId, sip);
  } else if (dialogId) {
    sendInDialog(stack, client, frame.msgId, dialogId, sip);
  } else if (txnId) {
    if (sip.startLine.startsWith('CANCEL')) cancelFromApp(stack, client, frame.msgId, txnId, sip);
    // Any other request with a txnId trips an assert in the real server; release builds say nothing.
    else stack.trace.note(`request with txnId ${txnId} ignored: ${sip.startLine}`);
  } else sendOutsideDialog(stack, client, frame.msgId, proxy, sip);
  return true;
}
