/**
 * A blind transfer by the dealer (REFER, RFC 3515): 202, NOTIFYs with the target's progress as
 * sipfrag, and on success the caller talks to the target and the dealer's leg is released. The
 * caller is never asked to do anything: signalling-only, the target is called without an offer,
 * its offer goes to the caller in a re-INVITE and the caller's answer to the target in the ACK
 * (RFC 3725 flow I); media-anchored, the target is offered the dealer's FreeSWITCH endpoint,
 * which is then pointed at the target. A target that does not answer leaves the call as it was.
 */
import type { Logger } from '../observability/logger.js';
import type { StopSignal } from '../util/stop-signal.js';
import type { MediaAnchor } from './media-port.js';
import type {
  ConnectedLeg,
  Dialer,
  DialResult,
  Presentation,
  Refer,
  ReferDecision,
  ReferNotify,
} from './ports.js';
import type { TransferNote } from './record.js';
import { type TransferPolicy, type TransferTarget, transferTarget } from './transfer-target.js';
import { legFor } from './trunk-leg.js';

export type TransferDeps = {
  dialer: Dialer;
  policy: TransferPolicy;
  /** The number's `options.transfer.enabled` (default true). */
  enabled: boolean;
  presentation: Presentation;
  ringTimeoutMs: number;
  /** Aborted when the call ends: a target still ringing is cancelled. */
  signal: StopSignal;
  now: () => number;
  logger: Logger;
  media?: MediaAnchor;
};

export type TransferHooks = {
  caller(): ConnectedLeg;
  /** The target answered and has the caller's media: it replaces the dealer, who is returned. */
  completed(target: ConnectedLeg, localSdp: string | undefined): ConnectedLeg;
  /** The transfer is over (the dealer stays on the call unless it completed). */
  settled(completed: boolean): void;
};

const PHRASES: Readonly<Record<number, string>> = {
  100: 'Trying',
  180: 'Ringing',
  183: 'Session Progress',
  200: 'OK',
  404: 'Not Found',
  408: 'Request Timeout',
  480: 'Temporarily Unavailable',
  486: 'Busy Here',
  487: 'Request Terminated',
  488: 'Not Acceptable Here',
  500: 'Server Internal Error',
  503: 'Service Unavailable',
  600: 'Busy Everywhere',
  603: 'Decline',
};

export function sipfrag(status: number): string {
  return `SIP/2.0 ${status} ${PHRASES[status] ?? (status < 300 ? 'OK' : 'Failed')}`;
}

export class Transfer {
  #running = false;
  #note: TransferNote | undefined;

  constructor(
    private readonly deps: TransferDeps,
    private readonly hooks: TransferHooks,
  ) {}

  /** What the record says about the last transfer, if any. */
  get note(): TransferNote | undefined {
    return this.#note;
  }

  /** A REFER was accepted and its target has not answered or failed yet. */
  get running(): boolean {
    return this.#running;
  }

  /** REFER from the dealer. */
  refer(refer: Refer, notify: ReferNotify): ReferDecision {
    if (!this.deps.enabled) return NOT_ALLOWED;
    // RFC 3891 attended transfer: this gateway is not the dialog the Replaces names
    if (refer.replaces)
      return { accept: false, status: 403, reason: 'Attended Transfer Not Supported' };
    if (this.#running) return { accept: false, status: 491, reason: 'Request Pending' };
    const target = transferTarget(refer.target, this.deps.policy);
    if (!target.ok) return { accept: false, status: target.status, reason: target.reason };
    this.#running = true;
    // after the 202 has gone out
    setImmediate(() => {
      void this.#run(target, notify).then((completed) => {
        this.#running = false;
        this.hooks.settled(completed);
      });
    });
    return { accept: true };
  }

  /** Calls the target and puts it in the dealer's place; whether that worked. */
  async #run(target: Extract<TransferTarget, { ok: true }>, notify: ReferNotify): Promise<boolean> {
    const { deps } = this;
    const kind = target.kind;
    const log = deps.logger.child({ transfer: kind });
    let rang = false;
    const result = await deps.dialer.dial({
      sdp: deps.media?.dealerSdp,
      ...deps.presentation,
      ...legFor(target, deps.policy.trunk, deps.presentation),
      timeoutMs: deps.ringTimeoutMs,
      signal: deps.signal,
      onProvisional: () => {
        if (rang) return;
        rang = true;
        void notify(sipfrag(180), false);
      },
    });
    let status = result.kind === 'failed' ? result.status : 200;
    let replaced: ConnectedLeg | undefined;
    if (result.kind !== 'failed') {
      try {
        replaced = await this.#connect(result);
      } catch (err) {
        if (!(err instanceof TransferFailed))
          log.warn({ err }, 'transfer target answered but could not be connected');
        status = err instanceof TransferFailed ? err.status : 500;
      }
    }
    this.#note = {
      result: status === 200 ? 'completed' : 'failed',
      target: kind,
      sipStatus: status,
      at: new Date(deps.now()).toISOString(),
    };
    log.info({ result: this.#note.result, status }, 'transfer ended');
    await notify(sipfrag(status), true);
    // the transferor hears the outcome before its leg goes (RFC 5589 6.1)
    await replaced?.hangup(TRANSFERRED);
    return replaced !== undefined;
  }

  /** Puts the answered target in the dealer's place; the dealer it replaced. */
  async #connect(result: Exclude<DialResult, { kind: 'failed' }>): Promise<ConnectedLeg> {
    const { media } = this.deps;
    if (this.deps.signal.aborted) {
      await result.release();
      throw new TransferFailed(487);
    }
    if (result.kind === 'answered') {
      // anchored: the target answered FreeSWITCH's offer; without media it cannot happen (we
      // offered nothing, so a 200 without an offer is a broken target)
      if (!media || !result.sdp) {
        await result.release();
        throw new TransferFailed(488);
      }
      await media.updateDealer(result.sdp);
      return this.hooks.completed(result.leg, media.dealerSdp);
    }
    const reoffer = await this.hooks.caller().request({ method: 'INVITE', body: result.offer });
    if (reoffer.status >= 300 || !reoffer.body) {
      await result.release();
      throw new TransferFailed(reoffer.status >= 300 ? reoffer.status : 488);
    }
    const target = await result.accept(reoffer.body);
    return this.hooks.completed(target, reoffer.body);
  }
}

const TRANSFERRED = 'SIP;cause=200;text="call transferred"';

/** REFER where transfers are off for the number, or not configured at all. */
export const NOT_ALLOWED: ReferDecision = {
  accept: false,
  status: 403,
  reason: 'Transfer Not Allowed',
};

/** The target could not take the call over; the status the transferor is told. */
class TransferFailed extends Error {
  constructor(readonly status: number) {
    super(`transfer failed with ${status}`);
    this.name = 'TransferFailed';
  }
}
