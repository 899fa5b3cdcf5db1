// Client transactions for requests the stand-in sends: retransmission (timers A/E, UDP only),
// timeout (timers B/F → an internal 408, as sofia generates), a closed port (ICMP, or a refused or
// reset TCP connection → an internal 503, as sofia's transport error), and matching of responses
// by branch.

import { newTag, newUuid } from './ids.js';
import { addTo, removeFrom } from './multimap.js';
import type { Endpoint } from './sip-address.js';
import { parseNameAddr } from './sip-address.js';
import { canonicalKey, headerValue, type SipRequest, type SipResponse } from './sip-message.js';
import { buildMessage } from './sip-serialize.js';
import type { AppClient, Stack } from './stack.js';
import { type Backoff, type Cancel, timerD, transactionTimeout } from './timers.js';

export type ClientTxnState = 'calling' | 'proceeding' | 'accepted' | 'completed' | 'terminated';

export interface NewClientTxn {
  method: string;
  branch: string;
  request: SipRequest;
  text: string;
  to: Endpoint;
  /** App told about responses; undefined for requests the server sends on its own behalf. */
  client: AppClient | undefined;
  /** dialogId passed up with responses ('' for non-INVITE requests outside a dialog). */
  dialogId?: string;
  /** For requests inside a dialog: BYE clears the dialog once answered. */
  clearDialogOnFinal?: boolean;
  /** True for requests sent inside an existing dialog (a re-INVITE is not a new dialog). */
  inDialog?: boolean;
}

/** Handles the responses to a request the server sent on its own behalf (never passed up). */
export type InternalHandler = (txn: ClientTxn, res: SipResponse) => void;

export interface ClientTxn extends Required<NewClientTxn> {
  txnId: string;
  state: ClientTxnState;
  canceled: boolean;
  /**
   * INVITE: the ACK sent for its final response (by the stack for a failure, by the app for a
   * 2xx), sent again when that response is retransmitted.
   */
  ack?: { text: string; to: Endpoint };
  /**
   * INVITE: the RSeq of the last reliable provisional the app PRACKed (nta.c orq_rseq); from then
   * on only the next RSeq is passed up, a retransmission or one out of order is dropped.
   */
  rseq?: number;
  /** INVITE: a CANCEL asked for before any provisional arrived; sofia sends it on the first one. */
  heldCancel?: ClientTxn;
  /** Set for requests the server sends itself (a refreshing re-INVITE). */
  internal?: InternalHandler;
  retransmit?: Backoff;
  stop: Cancel[];
  /** Hands on sofia's internal final answer: set by `startClientTxn`. */
  fail?: FailureHandler;
  /** INVITE: stops timer C, restarted by each provisional (see uac-responses.ts). */
  timerC?: Cancel;
}

/** A fresh transaction in state `calling` with a new txnId. */
export function newClientTxn(fields: NewClientTxn): ClientTxn {
  return {
    dialogId: '',
    clearDialogOnFinal: false,
    inDialog: false,
    ...fields,
    txnId: newUuid(),
    state: 'calling',
    canceled: false,
    stop: [],
  };
}

export class ClientTxnStore {
  private readonly byKey = new Map<string, ClientTxn>();
  private readonly byId = new Map<string, ClientTxn>();
  /** re-INVITEs by dialog, so a BYE does not scan every lingering transaction. */
  private readonly reinvites = new Map<string, Set<ClientTxn>>();

  add(txn: ClientTxn): void {
    this.byKey.set(key(txn.branch, txn.method), txn);
    this.byId.set(txn.txnId, txn);
    if (txn.method === 'INVITE' && txn.inDialog) addTo(this.reinvites, txn.dialogId, txn);
  }

  match(response: SipResponse): ClientTxn | undefined {
    const via = headerValue(response.headers, 'via') ?? '';
    const branch = /;\s*branch=([^;\s,]+)/i.exec(via)?.[1] ?? '';
    const method = (headerValue(response.headers, 'cseq') ?? '').trim().split(/\s+/)[1] ?? '';
    return this.byKey.get(key(branch, method.toUpperCase()));
  }

  byTxnId(txnId: string): ClientTxn | undefined {
    return this.byId.get(txnId);
  }

  /** Transactions to `peer` with no final answer yet: what sofia still holds pending there. */
  pendingTo(peer: Endpoint): ClientTxn[] {
    const out: ClientTxn[] = [];
    for (const txn of this.byId.values())
      if (
        txn.to.address === peer.address &&
        txn.to.port === peer.port &&
        txn.to.transport === peer.transport &&
        (txn.state === 'calling' || txn.state === 'proceeding')
      )
        out.push(txn);
    return out;
  }

  /** The app's re-INVITE in this dialog still waiting for a final response. */
  pendingReinvite(dialogId: string): ClientTxn | undefined {
    for (const txn of this.reinvites.get(dialogId) ?? []) {
      const open = txn.state === 'calling' || txn.state === 'proceeding';
      if (open && txn.client) return txn;
    }
    return undefined;
  }

  delete(txn: ClientTxn): void {
    txn.retransmit?.stop();
    for (const stop of txn.stop) stop();
    if (this.byKey.get(key(txn.branch, txn.method)) === txn)
      this.byKey.delete(key(txn.branch, txn.method));
    if (this.byId.get(txn.txnId) === txn) this.byId.delete(txn.txnId);
    removeFrom(this.reinvites, txn.dialogId, txn);
  }
}

function key(branch: string, method: string): string {
  return `${branch}|${method}`;
}

/** ms: the shortest timer A/E of drachtio-server's sofia-sip. */
const FIRST_RETRANSMIT_MIN = 1000;

/** Receives sofia's internal final answer: a 408 at the timeout, a 503 on a transport error. */
export type FailureHandler = (txn: ClientTxn, response: SipResponse) => void;

/** Sends the request and arms retransmission and timeout; `onFailure` receives the internal final. */
export function startClientTxn(stack: Stack, txn: ClientTxn, onFailure: FailureHandler): void {
  stack.clientTxns.add(txn);
  txn.fail = onFailure;
  stack.watchPeer(txn.to);
  // a datagram the kernel refuses to send fails this request alone, at once (nta.c outgoing_send:
  // tport_tsend returns NULL, outgoing_tport_error answers 503), a retransmission's as the first's
  const refused = () => failTxn(txn);
  stack.sendSip(txn.text, txn.to, refused);
  const { t1, t2 } = stack.config;
  const cap = txn.method === 'INVITE' ? undefined : t2;
  // drachtio-server's sofia-sip waits at least 1 s for the first retransmission, whatever T1
  // ("race condition on initial t1 timer timeout", nta.c outgoing_send); then doubles as RFC 3261
  const first = Math.max(t1, FIRST_RETRANSMIT_MIN);
  // nothing is sent again over TCP (nta.c: timers A and E run on unreliable transports only)
  if (txn.to.transport !== 'tcp')
    txn.retransmit = stack.timers.backoff(first, cap, () =>
      stack.sendSip(txn.text, txn.to, refused),
    );
  txn.stop.push(
    stack.timers.once(transactionTimeout(stack.config), () => {
      txn.retransmit?.stop();
      if (txn.state === 'calling' || (txn.state === 'proceeding' && txn.method !== 'INVITE')) {
        onFailure(txn, timeoutResponse(txn.request));
      }
    }),
  );
}

/**
 * An ICMP port unreachable from `peer`, or its TCP connection refused or reset: sofia fails every
 * request still pending there with its own 503 (tport.c tport_pending_error, nta.c
 * outgoing_tport_error), an INVITE with a provisional included; the ACK is no transaction and a
 * final answer ends the pending.
 */
export function failPendingTo(stack: Stack, peer: Endpoint): void {
  for (const txn of stack.clientTxns.pendingTo(peer)) failTxn(txn);
}

/** sofia's transport error for a request still without a final answer: its own 503. */
function failTxn(txn: ClientTxn): void {
  if (txn.state !== 'calling' && txn.state !== 'proceeding') return;
  txn.retransmit?.stop();
  txn.fail?.(txn, stackResponse(txn.request, 503, 'Service Unavailable'));
}

/** sofia's internally generated `408 Request Timeout`. */
export function timeoutResponse(request: SipRequest): SipResponse {
  return stackResponse(request, 408, 'Request Timeout');
}

/** A final answer sofia makes itself (nta.c outgoing_reply): dialog headers copied, To tagged. */
export function stackResponse(request: SipRequest, status: number, reason: string): SipResponse {
  const via = request.headers.find((h) => canonicalKey(h.name) === 'via')?.value ?? '';
  const to = headerValue(request.headers, 'to') ?? '';
  const tagged =
    /;\s*tag=/i.test(parseNameAddr(to).params) || request.method === 'CANCEL'
      ? to
      : `${to};tag=${newTag()}`;
  const text = buildMessage(`SIP/2.0 ${status} ${reason}`, [
    { name: 'Via', value: via },
    { name: 'From', value: headerValue(request.headers, 'from') ?? '' },
    { name: 'To', value: tagged },
    { name: 'Call-ID', value: headerValue(request.headers, 'call-id') ?? '' },
    { name: 'CSeq', value: headerValue(request.headers, 'cseq') ?? '' },
  ]);
  return { kind: 'response', status, reason, headers: [], body: '', raw: text };
}

/**
 * Keeps a finished transaction to absorb retransmitted responses, then drops it. An INVITE stays
 * for timer D, max(32 s, 64×T1) (nta.c outgoing_complete, agent_set_params), and meanwhile its
 * failure retransmitted gets the ACK again (outgoing_recv → outgoing_ack): seen with v0.9.10 and
 * T1 50 ms, a 486 resent at 31 s ACKed, at 34 s not. A non-INVITE's timer K (T4) is shorter than
 * 64×T1 only with a T1 near its default; nothing differs on the wire either way.
 */
export function lingerClientTxn(stack: Stack, txn: ClientTxn): void {
  txn.retransmit?.stop();
  for (const stop of txn.stop) stop();
  const linger = txn.method === 'INVITE' ? timerD(stack.config) : transactionTimeout(stack.config);
  txn.stop = [stack.timers.once(linger, () => stack.clientTxns.delete(txn))];
}
