/**
 * What the node says about itself: whether it takes calls (the same answer for /readyz, the
 * `calltrack_ready` gauge and the OPTIONS keepalive, so an alert and a probe never disagree), and
 * the /readyz report of each check behind it.
 */
import { type Readiness, withoutCredentials } from '../admin/http.js';
import type { Config } from '../config/load.js';
import type { Dialplans } from '../dialplan/distribution/start.js';
import type { DrachtioServers } from '../sip/drachtio-servers.js';

export type ReadinessParts = {
  config: Pick<Config, 'recordSink' | 'redisUrl'>;
  drachtio: Pick<DrachtioServers, 'connected' | 'checks' | 'describe'>;
  reloader: { readonly loaded: boolean };
  dialplans: Pick<Dialplans, 'checks'>;
  admitter: { readonly draining: boolean };
  calls: { readonly size: number };
  media?: { readonly connected: number; describe(): string };
  /** RECORD_SINK=redis: the record writer. */
  writer?: { readonly redisUp: boolean; readonly spooled: number };
  /** Voicemail messages waiting for delivery; absent: voicemail is off. */
  voicemailsPending?: () => number;
};

export function nodeReadiness(p: ReadinessParts): {
  ready: () => boolean;
  report: () => Readiness;
} {
  // one drachtio-server is enough (README, "Many gateways × many drachtio-servers")
  const ready = () =>
    p.drachtio.connected > 0 &&
    p.reloader.loaded &&
    !p.admitter.draining &&
    (!p.media || p.media.connected > 0);
  const report = (): Readiness => ({
    ready: ready(),
    checks: {
      ...(p.media && { freeswitch: p.media.connected > 0 }),
      ...p.drachtio.checks(),
      dialplans: p.reloader.loaded,
      ...p.dialplans.checks(),
      draining: p.admitter.draining,
      activeCalls: p.calls.size,
      // calls still work while Redis is away: records wait in the spool, the node stays ready
      records: recordState(p),
      // a mail server that is down does not stop calls: messages wait on disk, retried
      voicemail: p.voicemailsPending
        ? `${p.voicemailsPending()} waiting for delivery`
        : 'off (SMTP_URL empty)',
    },
    detail: {
      drachtio: p.drachtio.describe(),
      ...(p.writer && { redis: withoutCredentials(p.config.redisUrl) }),
      ...(p.config.recordSink !== 'redis' && { recordSink: p.config.recordSink }),
      ...(p.media && { freeswitch: p.media.describe() }),
    },
  });
  return { ready, report };
}

function recordState(p: ReadinessParts): string {
  // `file:<path>` names a path on this host: the kind only, the path is detail
  if (!p.writer) return p.config.recordSink.replace(/:.*/, '');
  return p.writer.redisUp ? 'redis' : `spooling (${p.writer.spooled} in spool)`;
}
