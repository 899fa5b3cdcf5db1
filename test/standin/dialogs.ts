// Established dialogs (after a 200 to an INVITE, either direction) and how to reach the peer.
// Like sofia's leg, a dialog keeps the remote target it was created with: neither a re-INVITE
// or UPDATE from the peer nor a 2xx to our own re-INVITE changes it (drachtio-server calls
// nta_leg_server_route/nta_leg_client_reroute only when the dialog is created).
import type { ClientTxn } from './client-txn.js';
import { type Endpoint, getParam, parseNameAddr, parseUri, uriEndpoint } from './sip-address.js';
import type { AppClient, Stack } from './stack.js';
import type { Cancel } from './timers.js';

/** A running RFC 4028 session timer (drachtio's SipDialog::setSessionTimer). */
export interface SessionTimer {
  /** The session interval in seconds (Session-Expires delta). */
  seconds: number;
  /** True when the stand-in refreshes (re-INVITE at half the interval), false when the peer must. */
  weRefresh: boolean;
  stop: Cancel;
}

export interface Dialog {
  /** `<Call-ID>;from-tag=<tag of whoever sent the INVITE>`: the shape drachtio-srf relies on. */
  id: string;
  callId: string;
  role: 'uas' | 'uac';
  localTag: string;
  remoteTag: string;
  /** Our From value in requests we send, without tag, e.g. `<sip:+4930100@127.0.0.1:5090>`. */
  localUri: string;
  remoteUri: string;
  /** Request-URI for requests inside the dialog (the peer's Contact). */
  remoteTarget: string;
  /**
   * The TCP connection the dialog was made over (its peer): requests inside the dialog take it
   * while it is open, whatever the target says, then the target (SipDialog getTport).
   */
  tport?: Endpoint;
  /**
   * drachtio's NAT route (nat-route.ts): where every request inside the dialog goes when the
   * peer's Contact does not name the address it sent from. The connection above comes first.
   */
  natRoute?: Endpoint;
  /** Route header values for requests inside the dialog, in sending order. */
  routeSet: string[];
  /** CSeq of the last request we sent (uas: starts at the INVITE's CSeq, like sofia's leg). */
  localSeq: number;
  /** uac: CSeq number of the INVITE, used by the app's first ACK only; later ACKs take localSeq. */
  inviteSeq?: number;
  /** uac: the INVITE was cancelled but answered 200; after the ACK the server sends BYE. */
  ackBye?: boolean;
  localContact: string;
  /** SDP we last offered or answered in this dialog; a refreshing re-INVITE carries it. */
  localSdp: string;
  localContentType: string;
  /** The app connection the dialog is bound to when it is created; never changes afterwards. */
  client: AppClient;
  /**
   * uac, made by a reliable provisional (early): our INVITE, still unanswered, whose provisionals
   * the app PRACKs. The 2xx makes the dialog again from its own headers, keeping the CSeq.
   */
  earlyInvite?: ClientTxn;
  /** An INVITE of ours (initial or re-INVITE) answered 2xx whose ACK the app has not sent yet. */
  awaitingAck?: ClientTxn;
  /** The last ACK sent for a 2xx, resent when that 2xx is retransmitted after its transaction. */
  lastAck?: { text: string; to: Endpoint; seq: number };
  /** uas: branches of ACKs already passed up, so retransmitted ACKs are absorbed. */
  seenAckBranches: Set<string>;
  sessionTimer?: SessionTimer;
  /**
   * Requests from the peer inside this dialog still waiting for the app's answer, by txnId: they
   * wait as long as the dialog lives, and its end answers each with the stack's 500 (see
   * uas-dialog.ts).
   */
  dangling?: Map<string, () => void>;
}

export function dialogIdOf(callId: string, inviterTag: string): string {
  return `${callId};from-tag=${inviterTag}`;
}

export class DialogStore {
  private readonly byId = new Map<string, Dialog>();

  add(dialog: Dialog): void {
    this.byId.set(dialog.id, dialog);
  }

  get(id: string): Dialog | undefined {
    return this.byId.get(id);
  }

  /**
   * Forgets the dialog; its session timer dies with it, and the peer's requests the app left
   * unanswered get the stack's 500, as drachtio's SipDialog destructor does
   * (clearDanglingIncomingRequests: nta_incoming_destroy of an unanswered irq, nta.c).
   */
  remove(id: string): void {
    const dialog = this.byId.get(id);
    this.byId.delete(id);
    if (!dialog) return;
    dialog.sessionTimer?.stop();
    const dangling = [...(dialog.dangling?.values() ?? [])];
    dialog.dangling?.clear();
    for (const end of dangling) end();
  }

  /** Match an incoming in-dialog message by Call-ID and both tags. */
  find(callId: string, localTag: string, remoteTag: string): Dialog | undefined {
    for (const d of this.byId.values()) {
      if (d.callId === callId && d.localTag === localTag && d.remoteTag === remoteTag) return d;
    }
    return undefined;
  }

  get size(): number {
    return this.byId.size;
  }
}

/**
 * Next hop for a request inside the dialog: its open TCP connection, else its NAT route, else the
 * first loose route, else `target` (the remote target unless drachtio sends elsewhere, as a
 * refresh's ACK). Undefined for a host name: the stand-in does no DNS.
 */
export function nextHop(
  stack: Stack,
  dialog: Dialog,
  target = dialog.remoteTarget,
): Endpoint | undefined {
  if (dialog.tport && stack.connected(dialog.tport)) return dialog.tport;
  if (dialog.natRoute) return dialog.natRoute;
  // a loose route is the next hop; a strict one is the Request-URI (requestTarget), the same hop
  const first = dialog.routeSet[0];
  return first === undefined ? uriEndpoint(target) : uriEndpoint(first);
}

/**
 * Request-URI and Route headers of a request inside the dialog to `target`: as they are, unless
 * the first route is strict (no `;lr`), when it becomes the Request-URI and `target` the last
 * Route (RFC 3261 12.2.1.1, sofia's nta_leg_client_reroute; seen with v0.9.10).
 */
export function requestTarget(dialog: Dialog, target: string): { uri: string; routes: string[] } {
  const [first, ...rest] = dialog.routeSet;
  const route = first === undefined ? undefined : parseUri(parseNameAddr(first).uri);
  if (first === undefined || !route || getParam(route.params, 'lr') !== undefined)
    return { uri: target, routes: dialog.routeSet };
  return { uri: parseNameAddr(first).uri, routes: [...rest, `<${target}>`] };
}
