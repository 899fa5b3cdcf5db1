/** SMTP_URL set: the outbox that delivers voicemail messages, from this run and any earlier one. */
import type { Config } from '../config/load.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { VoicemailOutbox } from './outbox.js';
import { smtpSender } from './smtp.js';

export function startOutbox(
  v: Config['voicemail'],
  logger: Logger,
  metrics: Metrics,
  onPending: (waiting: number) => void,
): VoicemailOutbox {
  const box = new VoicemailOutbox({
    dir: v.dir,
    sender: smtpSender(v.smtpUrl, v.from, v.smtpTimeoutMs),
    logger,
    now: Date.now,
    retryMs: v.retryMs,
    retryMaxMs: v.retryMaxMs,
    // a message is recorded within maxSeconds of its call's start plus ringing: a note still
    // marked recording an hour later was cut short by a crash
    staleRecordingMs: 3_600_000,
    onDelivered: () => metrics.voicemailsDelivered.inc(),
    onFailed: () => metrics.voicemailDeliveryFailures.inc(),
    onPending: (n) => {
      onPending(n);
      metrics.voicemailsPending.set(n);
    },
  });
  box.start();
  return box;
}
