/**
 * What the call path needs from the SIP side, as plain interfaces: `sip/` implements them with
 * drachtio-srf, so CallSession holds no drachtio value and media can slot in as another port.
 */
import type { StopSignal } from '../util/stop-signal.js';

export type Provisional = { status: 180 | 183; sdp?: string };

/**
 * Why a call ended, from this gateway's point of view: a BYE from either side, the drain timeout
 * (`gateway`), the maximum call duration, a side that no longer knew the call or no longer
 * answered (`caller-lost`, `dealer-lost`: its BYE was lost), the drachtio-server connection or
 * FreeSWITCH going away.
 */
export type EndedBy =
  | 'caller'
  | 'dealer'
  | 'gateway'
  | 'max-duration'
  | 'session-expired'
  | 'caller-lost'
  | 'dealer-lost'
  | 'signalling-lost'
  | 'media-lost';

/**
 * How a leg's far side went: a BYE, drachtio-server's BYE for a session nobody refreshed, or
 * `lost`: it never confirmed our answer (no ACK), and drachtio-server will not say so.
 */
export type LegEnd = 'hangup' | 'session-expired' | 'lost';

/** A request inside an established dialog, as plain values (no header of it is copied on). */
export type DialogRequest = {
  method: 'INVITE' | 'UPDATE' | 'INFO';
  /** The SDP or other body; absent for an offerless re-INVITE or a refresh UPDATE. */
  body?: string;
  contentType?: string;
};

export type DialogResponse = { status: number; body?: string; contentType?: string };

/**
 * The answer to a request a leg received. For an offerless re-INVITE the 200 carries an offer and
 * the far end's ACK brings the answer: `onAck` receives it.
 */
export type DialogAnswer = DialogResponse & { onAck?: (sdp: string | undefined) => void };

/** The outcome of a request the gateway sent inside a dialog; never a thrown error. */
export type DialogResult = DialogResponse & {
  /** An offerless re-INVITE was answered with an offer: ACK it with our answer. */
  ack?: (answer: string) => Promise<void>;
};

/** A REFER a leg received (blind transfer): the Refer-To URI, and whether it asks to replace a dialog. */
export type Refer = { target: string; replaces: boolean };

/** What the call path decides about a REFER: accepted (202, then NOTIFYs) or refused. */
export type ReferDecision = { accept: true } | { accept: false; status: number; reason: string };

/**
 * Sends the NOTIFYs of an accepted REFER (RFC 3515): a sipfrag status line each, the final one
 * (`final`) ends the implicit subscription. Never throws.
 */
export type ReferNotify = (sipfrag: string, final: boolean) => Promise<void>;

/** An established leg (either side). */
export interface ConnectedLeg {
  /** Resolves once when the far end hangs up (BYE, or drachtio ending the dialog); not when we do. */
  readonly ended: Promise<LegEnd>;
  /** The far end's current SDP. */
  readonly remoteSdp: string | undefined;
  /** Ends the dialog with BYE (with a Reason header when given); never throws. */
  hangup(reason?: string): Promise<void>;
  /**
   * Re-INVITE, UPDATE and INFO from the far end go to this handler (session refreshes that
   * change nothing are answered by the SIP layer). One that comes before a handler waits for
   * it; one still waiting when the leg ends gets 481.
   */
  onRequest(handler: (request: DialogRequest) => Promise<DialogAnswer>): void;
  /**
   * REFER from the far end. One that comes before the call path has taken the leg waits for it;
   * a leg taken without a REFER handler refuses it with 403.
   */
  onRefer(handler: (refer: Refer, notify: ReferNotify) => ReferDecision): void;
  /**
   * Sends a request inside the dialog. An answer that says the far end lost the dialog (481,
   * 408, or drachtio-server's own 503 for a transport error, which `alive` tells) ends the leg
   * `lost` once the answer is handed back.
   */
  request(request: DialogRequest): Promise<DialogResult>;
  /**
   * Asks the far end whether it still knows the dialog (an OPTIONS inside it): false when it
   * answers 481 or 408 or not at all, which ends the dialog (RFC 3261 12.2.1.2), or when nothing
   * listens there any more (drachtio-server's own 503 for the transport error); any other answer
   * (405 and 501 included) is a far end that is there. Never throws.
   */
  alive(): Promise<boolean>;
}

/** The caller's INVITE, until it is answered or refused. */
export interface InboundLeg {
  /** The caller's offer; undefined for a late offer (the offer then goes in our 200). */
  readonly sdp: string | undefined;
  /** 180/183 (with a Contact, so an early dialog forms); relayed from a dealer. */
  provisional(p: Provisional): void;
  /** 183 with the media server's SDP (and a Contact): the caller hears early media. */
  earlyMedia(sdp: string): void;
  reject(status: number, headers?: Readonly<Record<string, string>>): void;
  /** 200 with our answer to the caller's offer. */
  answer(sdp: string | undefined): Promise<ConnectedLeg>;
  /**
   * Late offer: 200 with our offer; resolves with the leg once the caller's ACK arrived, with
   * the answer it carried (undefined: the caller broke the offer/answer rules).
   */
  answerWithOffer(offer: string): Promise<{ leg: ConnectedLeg; answer: string | undefined }>;
  /**
   * Called once if the caller cancels before the answer, or (`lost`) its INVITE ended without
   * a word to the gateway: drachtio-server gave up on a caller that never PRACKed, or took its
   * BYE in the early dialog (sip/inbound-leg.ts, the ringing refresh).
   */
  onCancel(handler: (how?: 'lost') => void): void;
}

/** Who the dealer sees calling: the caller's number and name, or anonymous with its headers. */
export type Presentation = {
  callingNumber: string;
  callingName?: string;
  headers: Readonly<Record<string, string>>;
};

export type DialRequest = {
  uri: string;
  /** Our offer; undefined: a late offer (the dealer's 200 carries the offer, our ACK the answer). */
  sdp: string | undefined;
  /** The number the dealer sees, or `anonymous`. */
  callingNumber: string;
  callingName?: string;
  headers: Readonly<Record<string, string>>;
  /** Ring timeout: the attempt ends then, answered or not (a CANCEL follows when it can). */
  timeoutMs: number;
  onProvisional(p: Provisional): void;
  /**
   * Aborting cancels the leg (caller CANCEL, drain) and ends the attempt at once; an abort
   * reason that is a string is the CANCEL's Reason header (RFC 3326).
   */
  signal: StopSignal;
  /** Digest credentials for a 401/407: only ever set for the trunk, never a dealer's own URI. */
  auth?: { readonly username: string; readonly password: string };
};

/**
 * busy (486/600), no-answer (rang but no final within the ring timeout, 408/480/487),
 * unreachable (no provisional at all within the ring timeout, 5xx, 404/410, no route),
 * declined (answered, then hung up before being connected: during the whisper or the notice),
 * rejected (any other final), cancelled (the caller or the gateway stopped it),
 * auth-failed (401/407 the trunk kept after our credentials, or with none configured),
 * redirected (3xx followed: the next attempt is the redirect's target), redirect-refused (3xx
 * to no target the routing rules allow), redirect-limit (3xx beyond MAX_REDIRECTS).
 */
export type DialFailure =
  | 'busy'
  | 'no-answer'
  | 'cancelled'
  | 'rejected'
  | 'unreachable'
  | 'declined'
  | 'auth-failed'
  | 'redirected'
  | 'redirect-refused'
  | 'redirect-limit';

export type DialResult =
  | {
      kind: 'answered';
      leg: ConnectedLeg;
      sdp: string | undefined;
      /** BYE the answered dealer (it is not to be connected); never throws. */
      release(): Promise<void>;
    }
  | {
      /** Late offer: the dealer's 200 carries an offer; `accept` ACKs it with our answer. */
      kind: 'offered';
      offer: string;
      accept(answer: string): Promise<ConnectedLeg>;
      /** ACK and BYE the answered dealer (it is not to be connected); never throws. */
      release(): Promise<void>;
    }
  | {
      kind: 'failed';
      status: number;
      cause: DialFailure;
      /** A 3xx's Contact URIs, most preferred first (q, then order). */
      contacts?: readonly string[];
    };

export interface Dialer {
  dial(request: DialRequest): Promise<DialResult>;
}
