/**
 * A connected call's one timer: the maximum duration, and on the way a keepalive of its legs. A
 * BYE lost on the way (a NAT, a PBX that restarted) would otherwise keep the call up, and its
 * talk time growing, until the maximum duration: every `keepaliveMs` each leg still up is asked
 * whether it knows the dialog (ports.ts `alive`); one that does not ends the call. One timer a
 * call, re-armed only after a keepalive, so a call shorter than the interval costs nothing more.
 */
import type { ConnectedLeg, EndedBy } from './ports.js';

export type CallWatch = {
  maxDurationMs: number;
  /** 0: no keepalive. */
  keepaliveMs: number;
  /** The legs up now (a transfer replaces the dealer's). */
  legs: () => { caller?: ConnectedLeg; dealer?: ConnectedLeg };
  end: (by: EndedBy) => void;
};

/** Starts watching; the returned function stops it (the call ended). */
export function watchCall(w: CallWatch): () => void {
  const deadline = Date.now() + w.maxDurationMs;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const expire = () => w.end('max-duration');
  const arm = () => {
    const left = deadline - Date.now();
    if (left <= 0) return expire();
    timer =
      w.keepaliveMs > 0 && w.keepaliveMs < left
        ? setTimeout(ask, w.keepaliveMs)
        : setTimeout(expire, left);
    timer.unref();
  };
  const ask = async () => {
    const { caller, dealer } = w.legs();
    const [callerThere, dealerThere] = await Promise.all([
      caller ? caller.alive() : true,
      dealer ? dealer.alive() : true,
    ]);
    if (stopped) return;
    if (!callerThere) w.end('caller-lost');
    else if (!dealerThere) w.end('dealer-lost');
    else arm();
  };
  arm();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
