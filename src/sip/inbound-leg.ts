/** The caller's INVITE (drachtio req/res) as the call path's InboundLeg. */
import type { ConnectedLeg, InboundLeg, Provisional } from '../call/ports.js';
import { requires } from '../edge/extensions.js';
import type { RequestOffer } from '../edge/sdp-body.js';
import { connectedLeg } from './connected-leg.js';
import { detached } from './dialog-memory.js';
import type { InFlight, PendingInvite } from './in-flight.js';
import type { Ringing, RingingRefresh } from './ringing-refresh.js';
import type { Srf, SrfDialog, SrfRequest, SrfResponse } from './srf-types.js';

/**
 * drachtio-server adds a Contact to 2xx only; an 18x with a To tag forms an early dialog and needs
 * one (RFC 3261 12.1.1). `localhost` is replaced by drachtio with its own SIP address.
 */
const CONTACT = '<sip:calltrack@localhost>';

/** RFC 3261 20.43: 399, miscellaneous, with the agent and why. */
const EARLY_OFFER_WARNING = '399 calltrack "no session change before the call is answered"';

/**
 * drachtio-server's refusal of a response the caller can never get: to an INVITE it no longer
 * holds, or over the caller's TCP connection, closed since (drachtio opens no new one:
 * controller.cpp setupLegForIncomingRequest, sip-dialog-controller.cpp doRespondToSipRequest).
 */
const GONE = /unknown transaction|transport for response has been shutdown or closed/;

/**
 * How long a caller that requires 100rel has to ACK our 200: drachtio-server's own ACK timeout
 * (32 s, fixed in its build), which it does not run for a 200 its stack held (below).
 */
const ACK_WAIT_MS = 32_000;

export function inboundLeg(
  srf: Srf,
  req: SrfRequest,
  res: SrfResponse,
  inFlight: InFlight,
  offer: RequestOffer,
  ringing: RingingRefresh,
  /** The INVITE's Require, as read (inbound.ts). */
  require?: string,
): InboundLeg {
  // sofia then sends our 18x reliably by itself (edge/extensions.ts)
  return new SrfInboundLeg(
    srf,
    { req, res },
    inFlight,
    offer,
    ringing,
    requires(require, '100rel'),
  );
}

/**
 * A class, not an object of closures: the call holds its inbound leg to its end, and methods on
 * a prototype cost a call nothing (issue 16). The INVITE itself is let go once the caller has its
 * final answer: a connected call keeps none of it (dialog-memory.ts).
 */
class SrfInboundLeg implements InboundLeg, Ringing {
  readonly sdp: string | undefined;
  #invite: PendingInvite | undefined;
  readonly #untrack: () => void;
  /** The last 18x sent, sent again while the caller waits (refresh). */
  #lastStatus = 0;
  #lastSdp: string | undefined;
  #onCancel: ((how?: 'lost') => void) | undefined;

  constructor(
    private readonly srf: Srf,
    invite: PendingInvite,
    private readonly inFlight: InFlight,
    offer: RequestOffer,
    private readonly ringing: RingingRefresh,
    private readonly reliable: boolean,
  ) {
    // the SDP alone: of a multipart body, its SDP part (sdp-body.ts)
    this.sdp = offer.kind === 'offer' ? detached(offer.sdp) : undefined;
    this.#invite = invite;
    this.#untrack = inFlight.inbound(invite);
    invite.req.on('update', SrfInboundLeg.#earlyUpdate);
  }

  /**
   * The caller's UPDATE before its final answer (RFC 3311), sent once it has an early dialog (our
   * 18x; with 100rel, once the 183's SDP is PRACKed). Without SDP it changes nothing: 200. An offer
   * cannot be passed on: the dealer's early dialog is unreliable (we offer it no 100rel), so it
   * gets 488 and the session stays as it was (RFC 3311 5.2). Without a listener srf would answer
   * 500 with Retry-After, and the caller would only try again.
   */
  static #earlyUpdate(this: void, req: SrfRequest, res: SrfResponse): void {
    if (!req.body) res.send(200);
    else res.send(488, { headers: { Warning: EARLY_OFFER_WARNING } });
  }

  provisional(p: Provisional): void {
    this.#progress(p.status, p.sdp);
  }

  earlyMedia(sdp: string): void {
    this.#progress(183, sdp);
  }

  #progress(status: number, sdp: string | undefined, done?: (err: unknown) => void): void {
    const res = this.#open();
    if (!res) {
      this.ringing.done(this);
      return;
    }
    // every call relays one or two: literals, no conditional spreads (issue 16, CPU per call)
    res.send(
      status,
      sdp
        ? { headers: { Contact: CONTACT, 'Content-Type': 'application/sdp' }, body: sdp }
        : { headers: { Contact: CONTACT } },
      done,
    );
    this.#lastStatus = status;
    this.#lastSdp = sdp;
    this.ringing.sent(this);
  }

  /**
   * The last 18x again while the caller still waits, RINGING_REFRESH_S after the one before.
   * RFC 3261 13.3.1.1: a UAS that rings long sends a provisional at least every minute, or a
   * proxy on the way may cancel the call after three minutes without one. It is also the only
   * way to learn that drachtio-server ended the caller's INVITE without a word to the gateway
   * (a caller that never PRACKed a reliable 18x gets the stack's 503; a BYE in the early dialog
   * ends the INVITE with 500): drachtio-server refuses a response to a transaction it no longer
   * holds, and the call ends as if cancelled (`caller-lost`). To a caller that requires 100rel
   * the refresh carries no SDP: the answer went in the first reliable 18x, and an unPRACKed one
   * with SDP would hold our 200 back (sofia's reliable_final).
   */
  refresh(): void {
    this.#progress(this.#lastStatus, this.reliable ? undefined : this.#lastSdp, (err) => {
      if (err && this.#open()) this.#lostIf(err);
    });
  }

  reject(status: number, headers?: Readonly<Record<string, string>>): void {
    const res = this.#open();
    if (!res) return;
    this.#settled();
    res.send(status, headers ? { headers: { ...headers } } : {});
  }

  /**
   * To a caller that requires 100rel, sofia holds our 200 while its 183 with SDP is not PRACKed;
   * if the PRACK never comes the caller gets the stack's 503, the 200 is never sent, and
   * drachtio-server keeps the dialog without a word to anyone (no ACK timeout runs for it). The
   * leg ends `lost` if no ACK comes in drachtio's own ACK time, and the caller gets a BYE that
   * clears drachtio-server's dialog.
   */
  answer(sdp: string | undefined): Promise<ConnectedLeg> {
    const confirm = this.reliable ? ACK_WAIT_MS : undefined;
    return this.#accept(sdp, (dialog) => connectedLeg(dialog, this.inFlight, confirm));
  }

  async answerWithOffer(offer: string): Promise<{ leg: ConnectedLeg; answer: string | undefined }> {
    // the ACK carries the caller's answer (RFC 3264); srf passes it to the dialog's 'ack'. The leg
    // is made once it came: no ACK wait (nor a held 200: its 18x carried no SDP)
    const { dialog, answer } = await this.#accept(offer, (dialog) => ({
      dialog,
      answer: new Promise<string | undefined>((resolve) => {
        dialog.once('ack', (ack) => resolve(ack.body || undefined));
        // a BYE in the ACK's read ends the dialog, and takes this 'ack' listener with it, before
        // srf emits 'ack' on the next turn; the ACK's SDP is the dialog's remote SDP by then
        dialog.once('destroy', () => resolve(dialog.remote.sdp || undefined));
      }),
    }));
    return { leg: connectedLeg(dialog, this.inFlight), answer: await answer };
  }

  onCancel(handler: (how?: 'lost') => void): void {
    this.#onCancel = handler;
    this.#invite?.req.on('cancel', () => {
      this.#untrack();
      handler();
    });
  }

  /**
   * The response while the caller waits for a final answer and it can be sent; nothing can be
   * sent on a dead connection (the orphan cleanup answers after the reconnect).
   */
  #open(): SrfResponse | undefined {
    const res = this.#invite?.res;
    return res && !res.finalResponseSent && !this.inFlight.lost ? res : undefined;
  }

  /**
   * Answers 200 and hands the dialog to `take` inside srf's callback. A gateway that reads its
   * drachtio connection late (a busy event loop) finds the caller's ACK, BYE or re-INVITE in the
   * same read as the confirmation of its 200; srf dispatches them to the dialog there and then,
   * and a dialog nobody listens to yet loses a BYE and answers a re-INVITE or REFER 200 itself.
   * The promise form would go on only after that read (test/e2e/late-read.test.ts).
   */
  #accept<T>(sdp: string | undefined, take: (dialog: SrfDialog) => T): Promise<T> {
    const invite = this.#invite;
    if (!invite) return Promise.reject(new Error('the caller has had its final answer'));
    let called = false;
    return new Promise<T>((resolve, reject) => {
      this.srf.createUAS(invite.req, invite.res, sdp ? { localSdp: sdp } : {}, (err, dialog) => {
        // srf may call back twice (an INVITE without Contact: its error, then its dialog)
        if (called) return;
        called = true;
        if (err) {
          // srf marks the 200 sent before drachtio-server refuses it: no #open() here; the
          // dealer is released by the call path
          if (this.#invite) this.#lostIf(err);
          return reject(err);
        }
        this.#settled();
        // srf keeps the INVITE's whole body; the caller's SDP is its SDP part (a SIP-I body)
        if (dialog.remote.sdp && dialog.remote.sdp !== this.sdp) dialog.remote.sdp = this.sdp ?? '';
        resolve(take(dialog));
      });
    });
  }

  /** drachtio-server's refusal says the caller went without a word: the call ends `caller-lost`. */
  #lostIf(err: unknown): void {
    if (!GONE.test(String(err))) return;
    this.#settled();
    this.#onCancel?.('lost');
  }

  #settled(): void {
    this.#untrack();
    this.#invite = undefined;
    this.ringing.done(this);
  }
}
