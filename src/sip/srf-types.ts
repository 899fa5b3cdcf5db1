/**
 * The part of drachtio-srf this gateway uses, typed as it behaves (its bundled .d.ts is loose).
 * Only `sip/` sees these types.
 */
import type { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';

export interface SrfMessage {
  readonly headers: Record<string, string>;
  readonly body?: string;
  readonly status?: number;
  readonly reason?: string;
  /** Where the message came from; empty on a response drachtio-server's stack made itself. */
  readonly source_address: string;
  get(name: string): string | undefined;
  has(name: string): boolean;
  getParsedHeader(name: 'To' | 'From'): { uri: string; params: Record<string, string> };
}

export interface SrfRequest extends SrfMessage {
  readonly method: string;
  readonly uri: string;
  readonly callId: string;
  readonly source_port: number;
  /** drachtio-server's transaction id: a response or CANCEL names the transaction by it. */
  readonly stackTxnId: string;
  /** The connection an incoming request came in on (unset on the requests we send). */
  socket?: Socket;
  on(event: 'cancel', listener: () => void): this;
  on(event: 'response', listener: (res: SrfMessage) => void): this;
  /** An UPDATE in the early dialog of this INVITE (without a listener srf answers 500 itself). */
  on(event: 'update', listener: (req: SrfRequest, res: SrfResponse) => void): this;
  /** `_socket` sends the CANCEL through another connection (after a reconnect). */
  cancel(
    opts?: { _socket?: Socket; headers?: Record<string, string> },
    callback?: (err?: Error) => void,
  ): void;
}

export interface SrfResponse {
  readonly finalResponseSent: boolean;
  /** The connection the request came in on; a response goes back through it. */
  socket: Socket;
  send(
    status: number,
    opts?: { headers?: Record<string, string>; body?: string },
    callback?: (err?: Error | string) => void,
  ): void;
  send(
    status: number,
    reason: string,
    opts?: { headers?: Record<string, string>; body?: string },
    callback?: (err?: Error | string) => void,
  ): void;
}

/** `modify()` with `noAck` and no SDP: the far end's 200 carried an offer, `ack` sends our answer. */
export type OfferlessModify = { sdp: string; ack: (sdp: string) => void };

export interface SrfDialog extends EventEmitter {
  readonly id: string;
  /** What we last offered or answered in this dialog; a session refresh is answered with it. */
  readonly local: { sdp?: string; contact?: string };
  readonly remote: { sdp?: string };
  /** The 200 that made a UAC dialog, until dialog-memory.ts lets it go. */
  readonly res?: SrfMessage;
  readonly connected: boolean;
  readonly srf: { removeDialog(dialog: SrfDialog): void };
  destroy(opts?: { headers?: Record<string, string> }): Promise<void>;
  modify(sdp: string): Promise<string>;
  modify(sdp: undefined, opts: { noAck: true }): Promise<OfferlessModify | string>;
  request(opts: {
    method: string;
    headers?: Record<string, string>;
    body?: string;
  }): Promise<SrfMessage>;
  on(
    event: 'modify' | 'update' | 'info' | 'refer',
    listener: (req: SrfRequest, res: SrfResponse) => void,
  ): this;
  on(event: 'ack', listener: (req: SrfRequest) => void): this;
  on(event: 'destroy', listener: (req: SrfRequest, reason?: string) => void): this;
  once(event: 'ack', listener: (req: SrfRequest) => void): this;
  once(event: 'destroy', listener: (req: SrfRequest, reason?: string) => void): this;
}

export type UacOptions = {
  localSdp?: string;
  callingNumber?: string;
  callingName?: string;
  headers?: Record<string, string>;
  /** With no localSdp: resolve with the far end's offer instead of ACKing it ourselves. */
  noAck?: boolean;
  /** Digest credentials srf answers a 401/407 with (once per INVITE). */
  auth?: { username: string; password: string };
};

/** createUAC's result for an offerless INVITE with `noAck`: the 200's offer, not yet ACKed. */
export type UacOffer = {
  sdp: string;
  ack(sdp: string): Promise<SrfDialog>;
  destroy(): Promise<void>;
};

export type UacCallbacks = {
  cbRequest?: (err: Error | null, req: SrfRequest) => void;
  cbProvisional?: (res: SrfMessage) => void;
};

export interface Srf extends EventEmitter {
  connect(opts: {
    host: string;
    port: number;
    secret: string;
    reconnect?: { retryMaxDelay?: number };
  }): void;
  disconnect(): void;
  invite(handler: (req: SrfRequest, res: SrfResponse) => void): void;
  options(handler: (req: SrfRequest, res: SrfResponse) => void): void;
  /** `remove_route|<verb>` to the server; throws when this Srf holds no route for the verb. */
  unregisterForMessages(verb: string): void;
  createUAC(uri: string, opts: UacOptions, callbacks?: UacCallbacks): Promise<SrfDialog | UacOffer>;
  /**
   * The callback form: srf calls it inside the read that confirmed the 200, before it dispatches
   * the next frame of that read (the promise form goes on only after all of them).
   */
  createUAS(
    req: SrfRequest,
    res: SrfResponse,
    opts: { localSdp?: string; headers?: Record<string, string> },
    callback: (err: Error | null, dialog: SrfDialog) => void,
  ): Srf;
  /** A request outside srf's own dialogs; `stackDialogId` sends it inside that server dialog. */
  request(
    uri: string,
    opts: { method: string; stackDialogId?: string; headers?: Record<string, string> },
    callback?: (err: Error | null, req?: SrfRequest) => void,
  ): void;
}

/** drachtio-srf's SipError: a failed request with the final status it got. */
export function sipStatusOf(err: unknown): number | undefined {
  const status = (err as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}

/**
 * The connection srf currently sends on. drachtio-srf binds every request, response and dialog to
 * the connection it was made on; after a reconnect only the new one works, and drachtio-server
 * finds transactions and dialogs by id whichever connection names them
 * (sip-dialog-controller.cpp doRespondToSipRequest, doSendCancelRequest, doSendRequestInsideDialog).
 */
export function currentSocket(srf: Srf): Socket | undefined {
  const agent = (srf as unknown as { _app?: { client?: { _getDefaultSocket?(): unknown } } })._app
    ?.client;
  const socket = agent?._getDefaultSocket?.() as Socket | undefined;
  return socket && !socket.destroyed ? socket : undefined;
}

/**
 * The Contact URIs of the 3xx a createUAC rejected with (srf's SipError keeps the response in
 * `res`), most preferred first: by `q` (RFC 3261 16.6), then in the order sent.
 */
export function redirectContacts(err: unknown): string[] {
  const res = (err as { res?: SrfMessage } | null)?.res;
  if (!res?.has('Contact')) return [];
  let parsed: unknown;
  try {
    parsed = (res as unknown as { getParsedHeader(n: string): unknown }).getParsedHeader('Contact');
  } catch {
    return [];
  }
  if (!Array.isArray(parsed)) return [];
  const entries = parsed.flatMap((c: { uri?: unknown; params?: { q?: unknown } }, order) => {
    if (typeof c?.uri !== 'string' || !c.uri) return [];
    const q = Number(c.params?.q ?? 1);
    return [{ uri: c.uri, q: Number.isFinite(q) ? q : 0, order }];
  });
  return entries.sort((a, b) => b.q - a.q || a.order - b.order).map((e) => e.uri);
}

/** A dialog from a createUAC that resolved with a dialog (not an offer awaiting our ACK). */
export function isDialog(x: SrfDialog | UacOffer): x is SrfDialog {
  return typeof (x as SrfDialog).destroy === 'function' && 'id' in x;
}
