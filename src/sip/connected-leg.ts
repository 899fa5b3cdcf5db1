/**
 * A drachtio dialog as the call path sees it: an `ended` promise, a hangup that never throws, and
 * requests inside the dialog both ways as plain values. Session refreshes that change nothing
 * (same SDP version, or an UPDATE without SDP) are answered here with what we last sent; every
 * other re-INVITE, UPDATE and INFO goes to the call path's handler (dialog-answers.ts), a REFER to
 * its transfer handler (refer-answer.ts). What we send goes out through dialog-send.ts.
 */
import type {
  ConnectedLeg,
  DialogAnswer,
  DialogRequest,
  DialogResult,
  LegEnd,
} from '../call/ports.js';
import { answer, type DialogHandler, originOf, refreshed, sessionTimer } from './dialog-answers.js';
import { releaseSetupMessages } from './dialog-memory.js';
import { sendInDialog } from './dialog-send.js';
import type { InFlight } from './in-flight.js';
import { answerRefer, type ReferHandler } from './refer-answer.js';
import { type SrfDialog, type SrfRequest, type SrfResponse, sipStatusOf } from './srf-types.js';
import { there } from './stack-answers.js';

/** What we relay between legs, and what we answer OPTIONS with. */
export const ALLOW = 'INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE, INFO, REFER, NOTIFY';

/**
 * `confirmWithinMs`: the far end must ACK our answer within this long, or the leg ends `lost`
 * (inbound-leg.ts says when drachtio-server would not tell us).
 */
export function connectedLeg(
  dialog: SrfDialog,
  inFlight: InFlight,
  confirmWithinMs?: number,
): ConnectedLeg {
  const leg = new SrfLeg(dialog, inFlight);
  if (confirmWithinMs) leg.awaitAck(confirmWithinMs);
  return leg;
}

/**
 * The leg of each dialog we hold, for the listeners the legs share: a property of the dialog
 * under our own symbol. A WeakMap entry cost ~2.5 µs a leg to set and an ephemeron for every GC
 * to trace (issue 16, CPU per call); the property lives exactly as long as the dialog, as the
 * entry did.
 */
const LEG = Symbol('calltrack.leg');
type HeldDialog = SrfDialog & { [LEG]?: SrfLeg };
const legOf = (dialog: SrfDialog): SrfLeg | undefined => (dialog as HeldDialog)[LEG];

/**
 * How the far side went, by the Reason of the BYE that ended the dialog. srf passes its text on
 * only for a BYE drachtio-server sent itself (source `application`): a session nobody refreshed,
 * or a 200 to an INVITE never ACKed in 32 s (sip-dialog-controller.cpp, `ACK timeout`). The
 * latter is a far end our 200 never reached (the caller, for the answer): `lost`, not a hang-up
 * after 32 s of talk.
 */
function endByReason(reason = ''): LegEnd {
  if (/^session timer expired$/i.test(reason)) return 'session-expired';
  return /^ACK timeout$/i.test(reason) ? 'lost' : 'hangup';
}

/** A request that waited for a handler the leg ended without: the dialog is gone. */
const gone: DialogHandler = async () => ({ status: 481 });
const referGone: ReferHandler = () => ({
  accept: false,
  status: 481,
  reason: 'Call/Transaction Does Not Exist',
});
/** A leg whose call path takes no transfers (the caller's, voicemail). */
const refuseRefer: ReferHandler = () => ({ accept: false, status: 403, reason: 'Forbidden' });

/**
 * A class, not an object of closures: a call holds two legs for as long as it lasts, and methods
 * on a prototype cost a leg nothing (an object literal with a getter also went to dictionary
 * mode, half a kilobyte a leg: issue 16).
 */
class SrfLeg implements ConnectedLeg {
  readonly ended: Promise<LegEnd>;
  #end: (how: LegEnd) => void = () => undefined;
  #hungUpByUs = false;
  readonly #untrack: () => void;
  #handler: DialogHandler | undefined;
  /** Requests that came before the call path's handler (a late read): they wait for it. */
  #waiting: (() => void)[] | undefined;
  #onRefer: ReferHandler | undefined;
  /** The `o=` line of the far end's SDP: a session refresh repeats it. */
  #remoteOrigin: string | undefined;

  constructor(
    private readonly dialog: SrfDialog,
    private readonly inFlight: InFlight,
  ) {
    this.ended = new Promise<LegEnd>((resolve) => {
      this.#end = resolve;
    });
    // A busy gateway reads its drachtio connection late and may find the far end's BYE in the
    // same read as the answer that made this dialog: srf dispatches it there and then, before
    // the promise that hands us the dialog goes on, and its 'destroy' reaches no listener.
    if (!dialog.connected) {
      this.#untrack = () => undefined;
      this.#end('hangup');
      return;
    }
    releaseSetupMessages(dialog);
    this.#remoteOrigin = originOf(dialog.remote.sdp);
    this.#untrack = inFlight.dialog(dialog);
    (dialog as HeldDialog)[LEG] = this;
    // srf emits 'destroy' once: `on` spares the wrapper `once` would keep for the whole call
    dialog.on('destroy', SrfLeg.#on.destroyed);
    dialog.on('modify', SrfLeg.#on.modified);
    dialog.on('update', SrfLeg.#on.updated);
    dialog.on('info', SrfLeg.#on.info);
    dialog.on('refer', SrfLeg.#on.referred);
  }

  /**
   * One set of listeners for every dialog (an emitter calls its listeners with itself as `this`):
   * closures per leg cost a call 0.7 kB (issue 16).
   */
  static readonly #on = {
    destroyed(this: SrfDialog, _req: SrfRequest, reason?: string): void {
      const leg = legOf(this);
      if (!leg) return;
      leg.#untrack();
      leg.#release();
      // destroy() emits nothing; 'destroy' means the far end (or drachtio) ended the dialog
      if (!leg.#hungUpByUs) leg.#end(endByReason(reason));
    },

    /** A session refresh (a re-INVITE with the SDP version it had) changes nothing: answered here. */
    modified(this: SrfDialog, req: SrfRequest, res: SrfResponse): void {
      const leg = legOf(this);
      if (!leg) return;
      const origin = originOf(req.body);
      const previous = leg.#remoteOrigin;
      if (origin === previous && origin !== undefined) {
        res.send(200, refreshed(this, req));
        return;
      }
      leg.#remoteOrigin = origin;
      // an offer refused (415 here, or the other side's 488, 491) changes nothing (RFC 3264 8):
      // the caller may offer it again under the same version, and that is no refresh
      void answer(this, req, res, leg.#handle(), 'INVITE').then((status) => {
        if (status >= 300 && leg.#remoteOrigin === origin) leg.#remoteOrigin = previous;
      });
    },

    updated(this: SrfDialog, req: SrfRequest, res: SrfResponse): void {
      const leg = legOf(this);
      if (!leg) return;
      // RFC 4028: an UPDATE without SDP refreshes the session only
      if (!req.body) res.send(200, { headers: sessionTimer(req) });
      else void answer(this, req, res, leg.#handle(), 'UPDATE');
    },

    info(this: SrfDialog, req: SrfRequest, res: SrfResponse): void {
      const leg = legOf(this);
      if (leg) void answer(this, req, res, leg.#handle(), 'INFO');
    },

    referred(this: SrfDialog, req: SrfRequest, res: SrfResponse): void {
      const leg = legOf(this);
      if (!leg) return;
      if (leg.#onRefer) answerRefer(this, req, res, leg.#onRefer, leg.inFlight);
      else void leg.#referLater(req, res);
    },
  };

  get remoteSdp(): string | undefined {
    return this.dialog.remote.sdp || undefined;
  }

  awaitAck(ms: number): void {
    const timer = setTimeout(() => this.#lose(), ms);
    this.dialog.once('ack', () => clearTimeout(timer));
  }

  /** The far end no longer has the dialog: the call ends `<side>-lost`. */
  #lose(): void {
    if (!this.#hungUpByUs && this.dialog.connected) this.#end('lost');
  }

  /**
   * A request of ours inside the dialog that failed so that the dialog may be gone: 481 and 408
   * end it (RFC 3261 12.2.1.2); a 503 or 410 may be drachtio-server's own for a transport error,
   * and a re-INVITE's failure comes without its source, so a keepalive asks at once (`alive`):
   * `there` without a source is the answer that ends it, with the stack's the one that asks.
   * The leg ends after the answer went back: whoever asked hears it before the BYE.
   */
  #heard(status: number): void {
    if (!there(status, undefined)) setImmediate(() => this.#lose());
    else if (!there(status, ''))
      void this.alive().then((yes) => {
        if (!yes) this.#lose();
      });
  }

  async hangup(reason?: string): Promise<void> {
    if (this.#hungUpByUs || !this.dialog.connected) return;
    this.#hungUpByUs = true;
    this.#untrack();
    this.#release();
    // on a dead connection the BYE cannot go out: the orphan cleanup sends it after a reconnect
    if (this.inFlight.lost) return;
    // a BYE that fails (the far end is gone) leaves nothing for us to do; nor does one whose
    // answer cannot come any more (the connection dropped meanwhile)
    const bye = this.dialog.destroy(reason ? { headers: { Reason: reason } } : undefined);
    await this.inFlight.untilDropped(bye, undefined).catch(() => undefined);
  }

  /**
   * The call path's handler, or a wait for it: a request read together with the answer that
   * made the dialog comes before the call path has one (inbound-leg.ts `#accept`). Made per
   * request, not per leg: a leg holds no closure of its own (issue 16).
   */
  #handle(): DialogHandler {
    return this.#handler ?? ((request) => this.#wait(request));
  }

  async #wait(request: DialogRequest): Promise<DialogAnswer> {
    await this.#taken();
    return (this.#handler ?? gone)(request);
  }

  /**
   * A REFER before the call path took the leg (the dealer's, while the whisper plays) waits as a
   * re-INVITE does. The call path sets its REFER handler in the same turn as its request handler;
   * a leg that then has none takes no transfers.
   */
  async #referLater(req: SrfRequest, res: SrfResponse): Promise<void> {
    await this.#taken();
    const over = this.#hungUpByUs || !this.dialog.connected;
    answerRefer(
      this.dialog,
      req,
      res,
      this.#onRefer ?? (over ? referGone : refuseRefer),
      this.inFlight,
    );
  }

  /** Resolves when the call path takes the leg, or the leg ends. */
  #taken(): Promise<void> {
    return new Promise<void>((go) => {
      this.#waiting ??= [];
      this.#waiting.push(go);
    });
  }

  #release(): void {
    const waiting = this.#waiting;
    this.#waiting = undefined;
    if (waiting) for (const go of waiting) go();
  }

  onRequest(handler: DialogHandler): void {
    this.#handler = handler;
    this.#release();
  }

  onRefer(handler: ReferHandler): void {
    this.#onRefer = handler;
  }

  async request(r: DialogRequest): Promise<DialogResult> {
    if (this.inFlight.lost) return { status: 481 };
    // the answer cannot come over a connection that dropped meanwhile
    const res = await this.inFlight.untilDropped(sendInDialog(this.dialog, r), { status: 503 });
    // the far end's SDP in its answer (or its offer, to an offerless re-INVITE) is what its
    // next session refresh repeats
    if (r.method !== 'INFO' && res.status < 300 && res.body)
      this.#remoteOrigin = originOf(res.body);
    if (res.status >= 400) this.#heard(res.status);
    return res;
  }

  async alive(): Promise<boolean> {
    // an ended dialog or a dropped connection: nothing to ask, and others end the call then
    if (!this.dialog.connected || this.inFlight.lost) return true;
    return this.inFlight.untilDropped(
      this.dialog.request({ method: 'OPTIONS' }).then(
        (res) => there(res.status ?? 500, res.source_address),
        (err: unknown) => there(sipStatusOf(err) ?? 500, undefined),
      ),
      true,
    );
  }
}
