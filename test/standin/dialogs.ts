// Established dialogs (after a 200 to an INVITE, either direction) and how to reach the peer.
import { type Endpoint, getParam, parseNameAddr, parseUri, uriEndpoint } from './sip-address.js';
import type { AppClient } from './stack.js';

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
  /** Route header values for requests inside the dialog, in sending order. */
  routeSet: string[];
  /** CSeq of the last request we sent (uas: starts at the INVITE's CSeq, like sofia's leg). */
  localSeq: number;
  /** uac: CSeq number of the INVITE, reused by its ACK. */
  inviteSeq?: number;
  /** uac: the INVITE was cancelled but answered 200; after the ACK the server sends BYE. */
  ackBye?: boolean;
  localContact: string;
  client: AppClient;
  /** uac: the ACK sent for the 200, resent when the 200 is retransmitted. */
  ack?: { text: string; to: Endpoint };
  /** uas: branches of ACKs already passed up, so retransmitted ACKs are absorbed. */
  seenAckBranches: Set<string>;
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

  remove(id: string): void {
    this.byId.delete(id);
  }

  /** Match an incoming in-dialog message by Call-ID and both tags. */
  find(callId: string, localTag: string, remoteTag: string): Dialog | undefined {
    for (const d of this.byId.values()) {
      if (d.callId === callId && d.localTag === localTag && d.remoteTag === remoteTag) return d;
    }
    return undefined;
  }

  findByCallId(callId: string): Dialog | undefined {
    for (const d of this.byId.values()) if (d.callId === callId) return d;
    return undefined;
  }

  get size(): number {
    return this.byId.size;
  }
}

/** Next hop for a request inside the dialog: the first loose route, else the remote target. */
export function nextHop(dialog: Dialog): Endpoint | undefined {
  const first = dialog.routeSet[0];
  const route = first === undefined ? undefined : parseUri(parseNameAddr(first).uri);
  if (first !== undefined && route && getParam(route.params, 'lr') !== undefined) {
    return uriEndpoint(first);
  }
  return uriEndpoint(dialog.remoteTarget);
}
