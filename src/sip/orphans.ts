/**
 * What the gateway can still do, after a reconnect, for the calls a dropped drachtio connection
 * left behind. drachtio-server keeps their dialogs and transactions and looks them up by id,
 * whichever connection names them: a BYE sent with the old dialog id goes out inside that
 * dialog, a final answer with the old transaction id reaches a caller still waiting, a CANCEL
 * with the old transaction id stops a dealer still ringing (client.cpp Client::processMessage,
 * sip-dialog-controller.cpp doSendRequestInsideDialog / doRespondToSipRequest /
 * doSendCancelRequest: none checks the connection). So each orphan gets exactly that, once.
 *
 * What stays out of reach: a dealer who answered while the connection was down (drachtio absorbs
 * its 200 without ACK; it gives up after 64×T1), a drachtio-server that restarted (its dialogs are
 * gone; every send is refused with NOK and logged), and orphans older than ORPHAN_TTL_MS.
 */
import { SIGNALLING_LOST_REASON } from '../call/cancel-reasons.js';
import type { Logger } from '../observability/logger.js';
import type { OrphanSet } from './in-flight.js';
import { currentSocket, type Srf } from './srf-types.js';

export const ORPHAN_TTL_MS = 10 * 60_000;
/** The Reason on what the cleanup sends: the call path uses the same words. */
export const LOST_REASON = SIGNALLING_LOST_REASON;

export type CleanupResult = { byes: number; answers: number; cancels: number; failed: number };

export class Orphans {
  readonly #sets: OrphanSet[] = [];

  constructor(
    private readonly logger: Logger,
    private readonly now: () => number,
  ) {}

  add(set: OrphanSet): void {
    if (set.inbound.length + set.outbound.length + set.dialogs.length === 0) return;
    for (const dialog of set.dialogs) dialog.srf.removeDialog(dialog);
    this.#sets.push(set);
  }

  get pending(): number {
    return this.#sets.reduce(
      (n, s) => n + s.inbound.length + s.outbound.length + s.dialogs.length,
      0,
    );
  }

  /** After a reconnect: BYE, final answer, CANCEL, each once; orphans past their TTL are dropped. */
  async cleanUp(srf: Srf): Promise<CleanupResult> {
    const sets = this.#sets.splice(0).filter((s) => this.now() - s.lostAt < ORPHAN_TTL_MS);
    const socket = currentSocket(srf);
    const result: CleanupResult = { byes: 0, answers: 0, cancels: 0, failed: 0 };
    if (!socket) return result;
    const sent = (kind: keyof Omit<CleanupResult, 'failed'>) => (err?: unknown) => {
      if (err) result.failed++;
      else result[kind]++;
    };
    const work: Promise<void>[] = [];
    for (const set of sets) {
      for (const { res } of set.inbound) {
        if (res.finalResponseSent) continue;
        res.socket = socket;
        work.push(
          settle((done) =>
            res.send(503, { headers: { Reason: LOST_REASON } }, (err) => done(err)),
          ).then(sent('answers')),
        );
      }
      for (const req of set.outbound)
        work.push(
          settle((done) =>
            req.cancel({ _socket: socket, headers: { Reason: LOST_REASON } }, done),
          ).then(sent('cancels')),
        );
      for (const dialog of set.dialogs)
        work.push(
          settle((done) =>
            srf.request(
              // drachtio-server fills in the remote target for `placeholder`
              'sip:placeholder',
              { method: 'BYE', stackDialogId: dialog.id, headers: { Reason: LOST_REASON } },
              (err) => done(err ?? undefined),
            ),
          ).then(sent('byes')),
        );
    }
    await Promise.all(work);
    if (work.length > 0) this.logger.info(result, 'cleaned up calls left by the lost connection');
    return result;
  }
}

/** Runs a callback-style send; resolves with its error (undefined when sent), never throws. */
function settle(send: (done: (err?: unknown) => void) => void): Promise<unknown> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(new Error('no answer from drachtio-server')), 5000);
    timer.unref();
    const done = (err?: unknown) => {
      clearTimeout(timer);
      resolve(err);
    };
    try {
      send(done);
    } catch (err) {
      done(err);
    }
  });
}
