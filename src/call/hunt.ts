/**
 * One destination of a route and where its redirects (3xx) lead: dialled, and while the
 * destination redirects to a target the policy allows, the target dialled in its place, until
 * one answers or fails for good, or the call is aborted. Each try is an attempt of the record.
 */
import type { Logger } from '../observability/logger.js';
import type { Destination } from '../routing/destination.js';
import type { StopSignal } from '../util/stop-signal.js';
import type { DialResult } from './ports.js';
import type { Attempt } from './record.js';
import { type RedirectTarget, redirectOf } from './redirect.js';
import type { Rung } from './ring-group.js';
import type { SessionDeps } from './session-types.js';
import { routedAs } from './trunk-leg.js';

export type HuntDial = (
  target: Destination | RedirectTarget,
  timeoutMs: number,
) => Promise<DialResult>;

export async function hunt(
  destination: Destination,
  index: number,
  dial: HuntDial,
  redirect: SessionDeps['redirect'],
  logger: Logger,
  signal: StopSignal,
): Promise<Rung> {
  const tried: Attempt[] = [];
  let target: Destination | RedirectTarget = destination;
  for (let hops = 0; !signal.aborted; hops++) {
    const hop = hops > 0 ? { redirect: hops } : {};
    const result = await dial(target, destination.ringTimeoutMs);
    if (result.kind !== 'failed') {
      tried.push(
        hops > 0
          ? { index, status: 200, cause: 'answered', redirect: hops }
          : { index, status: 200, cause: 'answered' },
      );
      // the target that answered the gateway's INVITE: a redirect's, not the one routed first
      return { answer: result, reached: routedAs(target), tried };
    }
    const next = redirectOf(result, hops, redirect);
    const cause = next?.follow ? 'redirected' : (next?.cause ?? result.cause);
    tried.push({ index, status: result.status, cause, ...hop });
    logger.info(
      {
        destination: index,
        status: result.status,
        cause,
        ...hop,
        why: next && !next.follow ? next.why : undefined,
      },
      next?.follow ? 'destination redirected' : 'destination failed',
    );
    if (!next?.follow) break;
    target = next.target;
  }
  return { tried };
}
