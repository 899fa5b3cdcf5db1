/** The call journal's metrics, on the gateway's registry. */
import { Counter, type Registry } from 'prom-client';
import { TalliedGauge } from '../observability/tallied.js';

export type JournalMetrics = ReturnType<typeof createJournalMetrics>;

export function createJournalMetrics(registry: Registry) {
  const registers = [registry];
  return {
    orphans: new Counter({
      name: 'calltrack_journal_orphans_recovered_total',
      help: 'Calls of a lost gateway written as endedBy node-lost: of another node, or of this node before a restart (self)',
      labelNames: ['of'] as const,
      registers,
    }),
    live: new TalliedGauge({
      name: 'calltrack_journal_calls',
      help: 'Calls in progress noted in the call journal',
      registers,
    }),
    writeFailures: new Counter({
      name: 'calltrack_journal_write_failures_total',
      help: 'Batches of journal entries Redis did not take: kept on disk, re-sent at the next heartbeat that goes through',
      registers,
    }),
    beatFailures: new Counter({
      name: 'calltrack_journal_heartbeat_failures_total',
      help: "Heartbeats that did not reach Redis (past JOURNAL_NODE_LOST_SECONDS other gateways write this node's calls)",
      registers,
    }),
  };
}
