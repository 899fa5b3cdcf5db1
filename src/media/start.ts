/** FREESWITCH set: every media server connected, their state in the metrics. */
import type { Config } from '../config/load.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { createMrf } from './fsmrf-types.js';
import { MediaServers, parseServer } from './servers.js';

export type MediaStart = {
  media: Config['media'];
  logger: Logger;
  metrics: Pick<Metrics, 'mediaServersConnected' | 'mediaAnchorsPending' | 'mediaAnchorsShed'>;
  /** An Srf for fsmrf's default; a call's media INVITEs go through its own server's (anchor.ts). */
  srf: unknown;
  reminderMs: number;
};

/** Calls go signalling-only until one server is up. */
export async function startMedia(s: MediaStart): Promise<MediaServers> {
  const { media, metrics } = s;
  metrics.mediaServersConnected.set(0);
  const servers = new MediaServers(media.servers.map(parseServer), {
    mrf: createMrf(s.srf),
    listenAddress: media.listenAddress,
    connectTimeoutMs: media.connectTimeoutMs,
    maxPendingAnchors: media.maxPendingAnchors,
    logger: s.logger,
    reminderMs: s.reminderMs,
    onChange: (n) => metrics.mediaServersConnected.set(n),
    onPending: (n) => metrics.mediaAnchorsPending.set(n),
    onBusy: () => metrics.mediaAnchorsShed.inc(),
  });
  await servers.start();
  return servers;
}
