/**
 * A connected call, from the caller's 200 to its end: requests inside the dialogs relayed between
 * the legs, the dealer's blind transfer, and exactly one reason the call ends (a BYE from either
 * side, the drain, the maximum duration, a side lost without its BYE (call-watch.ts), FreeSWITCH
 * or the drachtio connection going away); the legs still up then get a BYE with a Reason
 * (RFC 3326).
 */
import type { Logger } from '../observability/logger.js';
import { watchCall } from './call-watch.js';
import { END_REASONS } from './cancel-reasons.js';
import { DialogRelay } from './dialog-relay.js';
import type { MediaAnchor } from './media-port.js';
import type { ConnectedLeg, EndedBy, LegEnd, Refer, ReferDecision, ReferNotify } from './ports.js';
import type { TransferNote } from './record.js';
import { NOT_ALLOWED, Transfer, type TransferDeps } from './transfer.js';

/** Who ended the call, by how one of its legs ended. */
export function endOf(how: LegEnd, side: 'caller' | 'dealer'): EndedBy {
  if (how === 'hangup') return side;
  return how === 'lost' ? `${side}-lost` : how;
}

export type TalkDeps = {
  logger: Logger;
  /** Longest a connected call may last; then both legs get a BYE. */
  maxDurationMs: number;
  /** How often the legs are asked whether they still know the call (0: never; call-watch.ts). */
  keepaliveMs: number;
  /** Resolves when the gateway ends the call itself (drain, lost drachtio connection). */
  stopping: Promise<EndedBy>;
  /** Set on the media-anchored path. */
  media?: { anchor: MediaAnchor; ended: Promise<void> };
  /** Transfers by the dealer; absent: REFER is refused. */
  transfer?: Omit<TransferDeps, 'media' | 'logger' | 'signal'>;
};

export type Talked = { endedBy: EndedBy; transfer?: TransferNote };

export async function talk(
  caller: ConnectedLeg,
  firstDealer: ConnectedLeg,
  local: { caller: string | undefined; dealer: string | undefined },
  deps: TalkDeps,
): Promise<Talked> {
  let dealer = firstDealer;
  let end: (by: EndedBy) => void = () => undefined;
  const ended = new Promise<EndedBy>((resolve) => {
    end = resolve;
  });
  const relay = new DialogRelay({ caller, dealer }, local, deps.media?.anchor, deps.logger);
  caller.onRefer(() => ({ accept: false, status: 403, reason: 'Transfer By Caller Not Allowed' }));
  /** Legs whose far side is gone already: they get no BYE from us. */
  const gone = new Set<ConnectedLeg>();
  const watchDealer = (leg: ConnectedLeg) =>
    void leg.ended.then((how) => {
      gone.add(leg);
      // a transferor may hang up right after its REFER (RFC 5589): the caller waits for the target
      if (leg === dealer && !transfer?.running) end(endOf(how, 'dealer'));
    });
  // made at the first REFER: most calls never see one, and every call pays for what it makes
  let transfer: Transfer | undefined;
  /** Cancels a transfer target still ringing when the call ends. */
  let over: AbortController | undefined;
  const onRefer = (refer: Refer, notify: ReferNotify): ReferDecision => {
    if (!deps.transfer) return NOT_ALLOWED;
    over ??= new AbortController();
    transfer ??= new Transfer(
      {
        ...deps.transfer,
        signal: over.signal,
        logger: deps.logger,
        ...(deps.media && { media: deps.media.anchor }),
      },
      {
        caller: () => caller,
        completed: (target, targetSdp) => {
          const previous = dealer;
          dealer = target;
          relay.replace('dealer', target, targetSdp);
          target.onRefer(onRefer);
          watchDealer(target);
          return previous;
        },
        settled: (completed) => {
          if (!completed && gone.has(dealer)) end('dealer');
        },
      },
    );
    return transfer.refer(refer, notify);
  };
  dealer.onRefer(onRefer);
  void caller.ended.then((how) => {
    // a caller that never confirmed our answer still gets a BYE: drachtio-server keeps its dialog
    if (how !== 'lost') gone.add(caller);
    end(endOf(how, 'caller'));
  });
  watchDealer(dealer);
  void deps.stopping.then(end);
  void deps.media?.ended.then(() => end('media-lost'));
  const unwatch = watchCall({
    maxDurationMs: deps.maxDurationMs,
    keepaliveMs: deps.keepaliveMs,
    legs: () => ({
      ...(!gone.has(caller) && { caller }),
      // a transferor that hung up waits for its target: nothing to ask it
      ...(!gone.has(dealer) && { dealer }),
    }),
    end,
  });
  const endedBy = await ended;
  unwatch();
  // a plain reason (without one, abort() builds a DOMException and its stack): the target's CANCEL
  over?.abort(END_REASONS[endedBy]);
  // nothing can be sent on a lost drachtio connection; the orphan cleanup BYEs after a reconnect
  if (endedBy !== 'signalling-lost') {
    const reason: string = END_REASONS[endedBy];
    await Promise.all([caller, dealer].filter((l) => !gone.has(l)).map((l) => l.hangup(reason)));
  }
  return transfer?.note ? { endedBy, transfer: transfer.note } : { endedBy };
}
