// Responses to requests the stand-in sent: passed up to the app (never 100 Trying, never the 200
// to a CANCEL), ACK generated for non-2xx finals, dialog created on 200, retransmitted 2xx
// answered with the app's ACK again or absorbed until there is one, a held CANCEL released by
// the first provisional, session timers armed from a 200.
import { type ClientTxn, lingerClientTxn } from './client-txn.js';
import type { Dialog } from './dialogs.js';
import { uacNatRoute } from './nat-route.js';
import { armFromAnswer } from './session-timer.js';
import { type Endpoint, parseNameAddr, tagOf } from './sip-address.js';
import {
  callIdOf,
  canonicalKey,
  cseqOf,
  headerValue,
  headerValues,
  type SipResponse,
} from './sip-message.js';
import { buildMessage } from './sip-serialize.js';
import { protocolOf, type Stack } from './stack.js';
import { cancelInvite, sendCancel } from './uac-cancel.js';
import { withoutTag } from './uas-answer.js';
import { sipPayload } from './wire.js';

export function handleNetworkResponse(
  stack: Stack,
  res: SipResponse,
  from: Endpoint,
  bytes: number,
): void {
  const txn = stack.clientTxns.match(res);
  if (txn) {
    deliverResponse(stack, txn, res, from, bytes);
    return;
  }
  // A 2xx retransmitted after its transaction ended: answer with the same ACK (timer D role).
  const cseq = cseqOf(res);
  if (cseq.method === 'INVITE' && res.status >= 200 && res.status < 300) {
    const dialog = stack.dialogs.find(
      callIdOf(res),
      tagOf(headerValue(res.headers, 'from')) ?? '',
      tagOf(headerValue(res.headers, 'to')) ?? '',
    );
    if (dialog?.lastAck && dialog.lastAck.seq === cseq.seq) {
      stack.sendSip(dialog.lastAck.text, dialog.lastAck.to);
      return;
    }
  }
  stack.trace.note(`unmatched response discarded: ${res.status} ${callIdOf(res)}`);
}

/** `bytes` is undefined for a response sofia generated itself (a timeout's 408). */
export function deliverResponse(
  stack: Stack,
  txn: ClientTxn,
  res: SipResponse,
  from: Endpoint,
  bytes?: number,
): void {
  if (res.status < 200) {
    provisional(stack, txn, res, from, bytes ?? 0);
    return;
  }
  if (txn.method === 'INVITE') {
    inviteFinal(stack, txn, res, from, bytes);
    return;
  }
  if (txn.state === 'completed') return;
  txn.state = 'completed';
  lingerClientTxn(stack, txn);
  if (txn.clearDialogOnFinal) stack.dialogs.remove(txn.dialogId);
  report(txn, res, from, bytes);
}

function provisional(
  stack: Stack,
  txn: ClientTxn,
  res: SipResponse,
  from: Endpoint,
  bytes: number,
): void {
  if (txn.state === 'calling') {
    txn.state = 'proceeding';
    if (txn.method === 'INVITE') txn.retransmit?.stop();
    else txn.retransmit?.setCap(stack.config.t2);
  }
  if (txn.method === 'INVITE' && txn.state === 'proceeding') restartTimerC(stack, txn);
  // nta.c outgoing_recv: a CANCEL held back goes out with the first provisional, 100 included.
  const held = txn.heldCancel;
  txn.heldCancel = undefined;
  if (held) sendCancel(stack, txn, held);
  if (res.status <= 100 || txn.state !== 'proceeding') return;
  if (txn.method === 'INVITE' && !txn.inDialog && !reliable(stack, txn, res, from)) return;
  report(txn, res, from, bytes);
}

/**
 * Timer C: every provisional, a 100 or a reliable one dropped below included, puts the INVITE at
 * the back of sofia's proceeding queue; one that waits there for timer C is cancelled as if the
 * app had asked, without its headers (nta.c outgoing_recv, outgoing_timer_c). The app hears the
 * 487 the CANCEL draws; it was never told why.
 */
function restartTimerC(stack: Stack, txn: ClientTxn): void {
  if (txn.timerC) txn.timerC();
  else txn.stop.push(() => txn.timerC?.());
  txn.timerC = stack.timers.once(stack.config.timerC, () => {
    if (txn.canceled || (txn.state !== 'calling' && txn.state !== 'proceeding')) return;
    stack.trace.note(`timer C: ${txn.method} ${txn.request.uri} cancelled by the stack`);
    cancelInvite(stack, txn);
  });
}

/**
 * A provisional with RSeq to our INVITE: sofia drops one the app's last PRACK already covered or
 * that skips ahead (nta.c outgoing_recv_reliable), and drachtio makes the early dialog the PRACK
 * goes in once it has a To tag (processResponseOutsideDialog). False: dropped.
 */
function reliable(stack: Stack, txn: ClientTxn, res: SipResponse, from: Endpoint): boolean {
  const rseq = Number(headerValue(res.headers, 'rseq') ?? Number.NaN);
  if (!Number.isInteger(rseq)) return true;
  if (txn.rseq !== undefined && rseq !== txn.rseq + 1) {
    stack.trace.note(`reliable ${res.status} with RSeq ${rseq} dropped (PRACKed ${txn.rseq})`);
    return false;
  }
  if (tagOf(headerValue(res.headers, 'to')) && !stack.dialogs.get(txn.dialogId))
    stack.dialogs.add({ ...uacDialog(txn, res, from), awaitingAck: undefined, earlyInvite: txn });
  return true;
}

function inviteFinal(
  stack: Stack,
  txn: ClientTxn,
  res: SipResponse,
  from: Endpoint,
  bytes: number | undefined,
): void {
  // A CANCEL still held back is never sent once a final response is in (nta.c outgoing_recv).
  txn.heldCancel = undefined;
  if (res.status < 300) {
    accept(stack, txn, res, from, bytes);
    return;
  }
  if (txn.state === 'completed') {
    if (txn.ack) stack.sendSip(txn.ack.text, txn.ack.to);
    return;
  }
  txn.state = 'completed';
  lingerClientTxn(stack, txn);
  // an early dialog ends with its INVITE (drachtio removeDialog on a final above 200)
  if (!txn.inDialog && stack.dialogs.get(txn.dialogId)?.earlyInvite === txn)
    stack.dialogs.remove(txn.dialogId);
  // sofia ACKs a non-2xx final itself; an internally generated 408 has nobody to ACK.
  if (bytes !== undefined) {
    txn.ack = { text: ackForFailure(txn, res), to: txn.to };
    stack.sendSip(txn.ack.text, txn.ack.to);
  }
  report(txn, res, from, bytes);
}

/** A 2xx to one of our INVITEs: the first one creates (or continues) the dialog and goes up. */
function accept(
  stack: Stack,
  txn: ClientTxn,
  res: SipResponse,
  from: Endpoint,
  bytes: number | undefined,
): void {
  if (txn.state === 'accepted') {
    // Retransmitted: drachtio's TimerDHandler resends the app's ACK, or absorbs the 2xx while the
    // app has not sent one ("cannot retransmit ACK because app has not yet provided it").
    if (txn.ack) stack.sendSip(txn.ack.text, txn.ack.to);
    else stack.trace.note(`retransmitted ${res.status} absorbed, no ACK yet (${txn.dialogId})`);
    return;
  }
  txn.state = 'accepted';
  lingerClientTxn(stack, txn);
  if (!txn.client && !txn.internal && !txn.inDialog) {
    // drachtio forgot this INVITE (uac-cancel.ts forgetCancelled): no dialog, no ACK, no app
    stack.trace.note(`${res.status} to a forgotten INVITE dropped (${txn.dialogId})`);
    return;
  }
  let dialog = stack.dialogs.get(txn.dialogId);
  if (!txn.inDialog && res.status === 200 && (!dialog || dialog.earlyInvite)) {
    // an early dialog is made again from the 2xx (its target, routes, tag); its CSeq goes on
    const early = dialog?.localSeq;
    dialog = { ...uacDialog(txn, res, from), ackBye: txn.canceled };
    if (early !== undefined) dialog.localSeq = early;
    stack.dialogs.add(dialog);
  }
  if (dialog && !txn.internal) {
    dialog.awaitingAck = txn;
    if (res.status === 200) armFromAnswer(stack, dialog, res);
  }
  report(txn, res, from, bytes);
}

/** Responses to the app's requests go up; those to the server's own requests stay inside. */
function report(txn: ClientTxn, res: SipResponse, from: Endpoint, bytes: number | undefined): void {
  if (txn.internal) txn.internal(txn, res);
  else passUp(txn, res, from, bytes);
}

function passUp(txn: ClientTxn, res: SipResponse, from: Endpoint, bytes: number | undefined): void {
  if (!txn.client || txn.client.closed || txn.method === 'CANCEL') return;
  const meta = {
    source: 'network' as const,
    // a response the stack made itself was never on the wire: drachtio-server says 0 bytes
    bytes: bytes ?? 0,
    protocol: protocolOf(txn.to),
    address: from.address,
    port: from.port,
  };
  txn.client.send(sipPayload(meta, txn.txnId, txn.dialogId, res.raw));
}

/** RFC 3261 17.1.1.3: same branch, Request-URI and Route as the INVITE, To from the response. */
function ackForFailure(txn: ClientTxn, res: SipResponse): string {
  const req = txn.request;
  const via = req.headers.find((h) => canonicalKey(h.name) === 'via')?.value ?? '';
  return buildMessage(`ACK ${req.uri} SIP/2.0`, [
    { name: 'Via', value: via },
    ...headerValues(req.headers, 'route').map((value) => ({ name: 'Route', value })),
    { name: 'Max-Forwards', value: '70' },
    { name: 'From', value: headerValue(req.headers, 'from') ?? '' },
    { name: 'To', value: headerValue(res.headers, 'to') ?? '' },
    { name: 'Call-ID', value: callIdOf(req) },
    { name: 'CSeq', value: `${cseqOf(req).seq} ACK` },
  ]);
}

function uacDialog(txn: ClientTxn, res: SipResponse, from: Endpoint): Dialog {
  const req = txn.request;
  const contact = headerValue(res.headers, 'contact');
  const routeSet = headerValues(res.headers, 'record-route').reverse();
  const natRoute = uacNatRoute(routeSet, contact, from);
  return {
    id: txn.dialogId,
    callId: callIdOf(req),
    role: 'uac',
    localTag: tagOf(headerValue(req.headers, 'from')) ?? '',
    remoteTag: tagOf(headerValue(res.headers, 'to')) ?? '',
    localUri: withoutTag(headerValue(req.headers, 'from') ?? ''),
    remoteUri: withoutTag(headerValue(req.headers, 'to') ?? ''),
    // none without a Contact: drachtio refuses the ACK then (`unable to find route`, v0.9.10)
    remoteTarget: contact ? parseNameAddr(contact).uri : '',
    ...(txn.to.transport === 'tcp' && { tport: txn.to }),
    ...(natRoute && { natRoute }),
    routeSet,
    localSeq: cseqOf(req).seq,
    inviteSeq: cseqOf(req).seq,
    localContact: headerValue(req.headers, 'contact') ?? '',
    localSdp: req.body,
    localContentType: headerValue(req.headers, 'content-type') ?? '',
    client: txn.client as Dialog['client'],
    awaitingAck: txn,
    seenAckBranches: new Set(),
  };
}
