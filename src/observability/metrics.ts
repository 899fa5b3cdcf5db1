/**
 * Prometheus metrics on an own registry, every name prefixed `calltrack_`. Labels carry sources,
 * outcomes and reasons, never a phone number.
 */
import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { TalliedCounter, TalliedGauge, TalliedHistogram } from './tallied.js';

export type Metrics = ReturnType<typeof createMetrics>;

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'calltrack_' });
  const registers = [registry];
  return {
    registry,
    calls: new TalliedCounter({
      name: 'calltrack_calls_total',
      help: 'Calls by sales channel (source) and outcome',
      labelNames: ['source', 'outcome'] as const,
      registers,
    }),
    activeCalls: new TalliedGauge({
      name: 'calltrack_active_calls',
      help: 'Calls in progress (ringing or connected)',
      registers,
    }),
    setupSeconds: new TalliedHistogram({
      name: 'calltrack_call_setup_seconds',
      help: 'Time from the INVITE in to the final answer out (200 or failure)',
      buckets: [0.005, 0.02, 0.1, 0.5, 1, 2, 5, 10, 20, 30, 60, 120],
      registers,
    }),
    callDuration: new TalliedHistogram({
      name: 'calltrack_call_duration_seconds',
      help: 'Talk time of answered calls, from the answer to the end',
      buckets: [5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600],
      registers,
    }),
    rejects: new TalliedCounter({
      name: 'calltrack_rejects_total',
      help: 'Calls refused before forwarding, by reason',
      labelNames: ['reason'] as const,
      registers,
    }),
    mediaServersConnected: new Gauge({
      name: 'calltrack_media_servers_connected',
      help: 'FreeSWITCH media servers connected (only when FREESWITCH is configured)',
      registers,
    }),
    mediaServersConfigured: new Gauge({
      name: 'calltrack_media_servers_configured',
      help: 'FreeSWITCH media servers in FREESWITCH (0: signalling only, connected 0 is no fault then)',
      registers,
    }),
    mediaAnchorsPending: new Gauge({
      name: 'calltrack_media_anchors_pending',
      help: 'Anchors FreeSWITCH has not settled yet, on every media server (each takes at most MEDIA_ANCHOR_MAX_PENDING; calls beyond go without media, media_error anchor-busy)',
      registers,
    }),
    mediaAnchorsShed: new Counter({
      name: 'calltrack_media_anchors_shed_total',
      help: 'Calls that went on without media at once because every media server had MEDIA_ANCHOR_MAX_PENDING anchors in progress (also in calltrack_media_errors_total{step="anchor"})',
      registers,
    }),
    mediaErrors: new Counter({
      name: 'calltrack_media_errors_total',
      help: 'Media failures by step: anchor (call went on without media: no server, every server busy, timeout, error), modify, whisper, bridge, notice, record, voicemail',
      labelNames: ['step'] as const,
      registers,
    }),
    mediaOutcomes: new Counter({
      name: 'calltrack_media_outcomes_total',
      help: 'What media did for calls: whisper played|failed, recording recorded|failed, voicemail left|empty|failed',
      labelNames: ['step', 'result'] as const,
      registers,
    }),
    voicemailsDelivered: new Counter({
      name: 'calltrack_voicemails_delivered_total',
      help: 'Voicemail messages the mail server accepted (then deleted from disk)',
      registers,
    }),
    voicemailDeliveryFailures: new Counter({
      name: 'calltrack_voicemail_delivery_failures_total',
      help: 'Failed voicemail deliveries; the message stays on disk and is retried (alert on any increase)',
      registers,
    }),
    voicemailsPending: new Gauge({
      name: 'calltrack_voicemails_pending',
      help: 'Voicemail messages on disk waiting for delivery',
      registers,
    }),
    recordingsDeleted: new Counter({
      name: 'calltrack_recordings_deleted_total',
      help: 'Call recordings deleted by the sweeper once past their retention days',
      registers,
    }),
    recordingPurgeFailures: new Counter({
      name: 'calltrack_recording_purge_failures_total',
      help: 'Recording sweeps that failed (the recordings past retention stay on disk)',
      registers,
    }),
    recordingPurgeLastSuccess: new Gauge({
      name: 'calltrack_recording_purge_last_success_timestamp_seconds',
      help: 'Unix time of the last recording sweep that completed (0: none yet)',
      registers,
    }),
    drachtioConnected: new Gauge({
      name: 'calltrack_drachtio_connected',
      help: '1 while connected to this drachtio-server (server: host:port from DRACHTIO or DRACHTIO_HOST/DRACHTIO_PORT)',
      labelNames: ['server'] as const,
      registers,
    }),
    transportUnavailable: new Gauge({
      name: 'calltrack_destinations_transport_unavailable',
      help: 'Destinations (dealer URIs, OUTBOUND_TRUNK) whose transport this drachtio-server does not listen on (sips: needs tls, ;transport= its own, a literal address its IP family): no call to them through it connects; set at each connect and dialplan load',
      labelNames: ['server'] as const,
      registers,
    }),
    drachtioInvites: new TalliedCounter({
      name: 'calltrack_drachtio_invites_total',
      help: 'New INVITEs each drachtio-server handed to this gateway (it spreads them round robin over the gateways connected to it)',
      labelNames: ['server'] as const,
      registers,
    }),
    reloads: new Counter({
      name: 'calltrack_dialplan_reloads_total',
      help: 'Dialplan reloads by result',
      labelNames: ['result'] as const,
      registers,
    }),
    dialplanInfo: new Gauge({
      name: 'calltrack_dialplan_info',
      help: 'Always 1, labelled with the dialplan version this node serves; gateways that disagree show different versions',
      labelNames: ['version'] as const,
      registers,
    }),
    snapshotsRefused: new Counter({
      name: 'calltrack_dialplan_snapshots_refused_total',
      help: 'Dialplan snapshots from Redis this node refused (the old routes kept answering), by reason: manifest, hash, version, invalid',
      labelNames: ['reason'] as const,
      registers,
    }),
    snapshotPublishes: new Counter({
      name: 'calltrack_dialplan_publishes_total',
      help: 'Dialplan versions this node published to Redis (DIALPLAN_PUBLISH=on), by result: published, failed, skipped (the files changed again meanwhile)',
      labelNames: ['result'] as const,
      registers,
    }),
    numbers: new Gauge({
      name: 'calltrack_dialplan_numbers',
      help: 'Tracking numbers in the loaded route table',
      labelNames: ['status'] as const,
      registers,
    }),
    // a histogram, not a summary: N gateways' buckets add up to one p99 (a summary's quantiles
    // do not), and an observation is a bucket increment, where a summary's t-digests cost 40 µs
    // of CPU per call (issue 16); fine below a millisecond, where a healthy gateway is
    dialDelay: new TalliedHistogram({
      name: 'calltrack_dial_delay_seconds',
      help: "Time from a caller's INVITE reaching the gateway to the first dealer INVITE handed to drachtio",
      buckets: [
        0.0001, 0.00025, 0.0005, 0.00075, 0.001, 0.0015, 0.002, 0.003, 0.005, 0.01, 0.025, 0.05,
        0.1, 0.25, 0.5, 1, 2.5,
      ],
      registers,
    }),
    attempts: new TalliedCounter({
      name: 'calltrack_dial_attempts_total',
      help: 'Dealer attempts by cause: answered, busy, no-answer (rang out), unreachable (no provisional at all, 5xx), declined (hung up during the whisper), rejected, cancelled, completed-elsewhere (a ring group member cancelled because another answered), redirect causes',
      labelNames: ['cause'] as const,
      registers,
    }),
    callEnds: new TalliedCounter({
      name: 'calltrack_call_ends_total',
      help: 'Why calls that reached a dealer or the gateway ended: caller, dealer, gateway (drain), max-duration, session-expired, caller-lost and dealer-lost (a side that no longer knew the call), signalling-lost, media-lost',
      labelNames: ['ended_by'] as const,
      registers,
    }),
    transfers: new Counter({
      name: 'calltrack_transfers_total',
      help: "Dealers' blind transfers by result: completed, failed (the call stayed with the dealer)",
      labelNames: ['result'] as const,
      registers,
    }),
    closedCalls: new Counter({
      name: 'calltrack_closed_calls_total',
      help: 'Calls to a closed number, by why (hours, holiday, closed-date) and the action taken (refuse, announcement, voicemail, destinations)',
      labelNames: ['why', 'action'] as const,
      registers,
    }),
    unmatched: new Counter({
      name: 'calltrack_unmatched_requests_total',
      help: 'Requests for a dialog this gateway does not have (an INVITE with an unknown To tag), answered 481',
      labelNames: ['method'] as const,
      registers,
    }),
    unanswerable: new Counter({
      name: 'calltrack_unanswerable_requests_total',
      help: 'INVITEs left unanswered because any answer would crash drachtio-server v0.9.10 (a Contact that names no host); the server drops them after its own timeout',
      labelNames: ['reason'] as const,
      registers,
    }),
    lostCleanups: new Counter({
      name: 'calltrack_lost_connection_cleanups_total',
      help: 'After a drachtio reconnect, what was sent for calls the lost connection left: bye, answer (503 to a waiting caller), cancel, failed',
      labelNames: ['action', 'server'] as const,
      registers,
    }),
    records: new TalliedCounter({
      name: 'calltrack_call_records_total',
      help: 'Call records handed to the record sink',
      registers,
    }),
  };
}
