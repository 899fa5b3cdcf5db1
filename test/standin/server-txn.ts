// Server transactions: one per request from the network that an app may answer. Holds the
// request, what the app may still do with it, and the last response for retransmissions.

import { addTo, removeFrom } from './multimap.js';
import type { Reliability } from './reliable.js';
import { branchOf, type Endpoint, parseVia, tagOf } from './sip-address.js';
import { callIdOf, headerValue, type SipRequest } from './sip-message.js';
import type { AppClient, Stack } from './stack.js';
import { type Cancel, transactionTimeout } from './timers.js';

/**
 * How the server treats the app's next answer:
 * - `new`: not answered yet (drachtio's pending request);
 * - `provisional`: an INVITE in progress (drachtio's IIP) that got a 1xx;
 * - `final`: the INVITE got its final answer; another answer is echoed, not sent;
 * - `closed`: refused with "Response not sent due to unknown transaction".
 */
export type AppAnswerState = 'new' | 'provisional' | 'final' | 'closed';

export interface ServerTxn {
  txnId: string;
  request: SipRequest;
  method: string;
  branch: string;
  source: Endpoint;
  /** Datagram size of the request as received. */
  bytes: number;
  client: AppClient;
  /** True for a new INVITE outside a dialog (the IIP path), false for everything else. */
  inviteInProgress: boolean;
  /** For requests that arrived inside a dialog: that dialog's id. */
  inDialogId: string;
  /** For a new INVITE: `<Call-ID>;from-tag=<caller tag>`. */
  dialogId: string;
  app: AppAnswerState;
  canceled: boolean;
  localTag?: string;
  /** A new INVITE: SDP of the app's latest answer with a body, and its content type. */
  localSdp?: string;
  localContentType?: string;
  lastResponse?: string;
  lastStatus: number;
  /** Stops retransmission of the last response (set while one is running). */
  retransmit?: Cancel;
  /** Stops the transaction's own timers. */
  stop: Cancel[];
  /**
   * drachtio-server answered this re-INVITE itself (a 422 below Min-SE) and bound no callback to
   * its transaction: sofia hands the ACK of that failure on to the dialog, and so to its app
   * (nta.c incoming_ack, "Process ACK normally"). An app's own failure keeps its ACK.
   */
  ackGoesUp?: boolean;
  /** A new INVITE whose caller requires or supports 100rel: its reliable answers (reliable.ts). */
  reliable?: Reliability;
  /** A new INVITE in progress: the caller's UPDATE in its early dialog, waiting for the app. */
  earlyUpdate?: ServerTxn;
}

export class ServerTxnStore {
  private readonly byId = new Map<string, ServerTxn>();
  private readonly byKey = new Map<string, ServerTxn>();
  /** New INVITEs by the dialog they open: a scan of every lingering transaction per BYE would
   * cap the stand-in at a few hundred calls/s. */
  private readonly invitesByDialog = new Map<string, Set<ServerTxn>>();

  add(txn: ServerTxn): void {
    this.byId.set(txn.txnId, txn);
    this.byKey.set(key(txn.request, txn.method), txn);
    if (txn.inviteInProgress) addTo(this.invitesByDialog, txn.dialogId, txn);
  }

  byTxnId(txnId: string): ServerTxn | undefined {
    return this.byId.get(txnId);
  }

  /** RFC 3261 17.2.3 matching by branch and sent-by; ACK and CANCEL match their INVITE. */
  match(request: SipRequest): ServerTxn | undefined {
    const method =
      request.method === 'ACK' || request.method === 'CANCEL' ? 'INVITE' : request.method;
    return this.byKey.get(key(request, method));
  }

  /** drachtio-server finds a pending INVITE for a CANCEL by Call-ID alone. */
  pendingInviteByCallId(callId: string): ServerTxn | undefined {
    for (const txn of this.byId.values()) {
      if (txn.method === 'INVITE' && txn.app === 'new' && callIdOf(txn.request) === callId)
        return txn;
    }
    return undefined;
  }

  /** An INVITE the app answered 18x (an early dialog) from the caller with this From tag. */
  earlyInvite(callId: string, fromTag: string | undefined): ServerTxn | undefined {
    for (const txn of this.byId.values()) {
      if (txn.method !== 'INVITE' || txn.app !== 'provisional') continue;
      const req = txn.request;
      if (callIdOf(req) === callId && tagOf(headerValue(req.headers, 'from')) === fromTag)
        return txn;
    }
    return undefined;
  }

  /** The new INVITEs that open this dialog (a forked or repeated one may share it). */
  invitesOf(dialogId: string): Iterable<ServerTxn> {
    return this.invitesByDialog.get(dialogId) ?? [];
  }

  /** An accepted (2xx) INVITE of this dialog still waiting for its ACK. */
  awaitingAck(dialogId: string): ServerTxn | undefined {
    for (const txn of this.invitesByDialog.get(dialogId) ?? []) {
      if (txn.lastStatus >= 200 && txn.lastStatus < 300) return txn;
    }
    return undefined;
  }

  delete(txn: ServerTxn): void {
    txn.retransmit?.();
    txn.reliable?.stopTimers();
    for (const stop of txn.stop) stop();
    this.byId.delete(txn.txnId);
    const k = key(txn.request, txn.method);
    if (this.byKey.get(k) === txn) this.byKey.delete(k);
    removeFrom(this.invitesByDialog, txn.dialogId, txn);
  }

  get size(): number {
    return this.byId.size;
  }
}

/**
 * Branch, sent-by and method: two clients may pick the same branch (RFC 4475's messages share
 * `z9hG4bKkdjuw`), and sofia keeps their transactions apart by the Via's host and port.
 */
function key(request: SipRequest, method: string): string {
  const via = headerValue(request.headers, 'via');
  const top = via === undefined ? undefined : parseVia(via);
  const sentBy = top ? `${top.host.toLowerCase()}:${top.port ?? ''}` : '';
  return `${branchOf(via)}|${sentBy}|${method}`;
}

/** Sends a response for this transaction and remembers it for retransmissions. */
export function sendTxnResponse(stack: Stack, txn: ServerTxn, text: string, status: number): void {
  txn.lastResponse = text;
  txn.lastStatus = status;
  stack.sendSip(text, txn.source);
}

/** Keeps a transaction around to absorb retransmissions, then forgets it (timers H/J). */
export function lingerThenDelete(stack: Stack, txn: ServerTxn): void {
  txn.stop.push(
    stack.timers.once(transactionTimeout(stack.config), () => stack.serverTxns.delete(txn)),
  );
}
