/**
 * What the call path needs from the SIP side, as plain interfaces: `sip/` implements them with
 * drachtio-srf, so CallSession holds no drachtio value and media can slot in as another port.
 */

export type Provisional = { status: 180 | 183; sdp?: string };

/** Why a call leg ended, from this gateway's point of view. */
export type EndedBy = 'caller' | 'dealer' | 'gateway';

/** An established leg (either side). */
export interface ConnectedLeg {
  /** Resolves once when the far end hangs up; not when we do. */
  readonly ended: Promise<void>;
  hangup(): Promise<void>;
}

/** The caller's INVITE, until it is answered or refused. */
export interface InboundLeg {
  readonly sdp: string | undefined;
  provisional(p: Provisional): void;
  /** 183 with the media server's SDP (and a Contact): the caller hears early media. */
  earlyMedia(sdp: string): void;
  reject(status: number, headers?: Readonly<Record<string, string>>): void;
  answer(sdp: string | undefined): Promise<ConnectedLeg>;
  /** Called once if the caller cancels before the answer. */
  onCancel(handler: () => void): void;
}

export type DialRequest = {
  uri: string;
  sdp: string | undefined;
  /** The number the dealer sees, or `anonymous`. */
  callingNumber: string;
  callingName?: string;
  headers: Readonly<Record<string, string>>;
  /** Ring timeout: the leg is cancelled when no final answer came by then. */
  timeoutMs: number;
  onProvisional(p: Provisional): void;
  /** Aborting cancels the leg (caller CANCEL, drain). */
  signal: AbortSignal;
};

export type DialFailure = 'busy' | 'no-answer' | 'cancelled' | 'rejected' | 'unreachable';

export type DialResult =
  | { kind: 'answered'; leg: ConnectedLeg; sdp: string | undefined }
  | { kind: 'failed'; status: number; cause: DialFailure };

export interface Dialer {
  dial(request: DialRequest): Promise<DialResult>;
}
