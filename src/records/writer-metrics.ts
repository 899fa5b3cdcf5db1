/** The record writer's metrics, on the gateway's registry. */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Logger } from '../observability/logger.js';
import { TalliedGauge } from '../observability/tallied.js';

export type WriterMetrics = ReturnType<typeof createWriterMetrics>;

export function createWriterMetrics(registry: Registry) {
  const registers = [registry];
  return {
    written: new Counter({
      name: 'calltrack_records_written_total',
      help: 'Call records written to the Redis stream',
      registers,
    }),
    trafficWritten: new Counter({
      name: 'calltrack_traffic_records_written_total',
      help: 'Traffic records (billing) written to the traffic stream, with their call records',
      registers,
    }),
    queued: new TalliedGauge({
      name: 'calltrack_records_queued',
      help: 'Call records waiting in memory',
      registers,
    }),
    spooled: new Counter({
      name: 'calltrack_records_spooled_total',
      help: 'Call records moved to the disk spool while Redis failed',
      registers,
    }),
    spoolPending: new Gauge({
      name: 'calltrack_records_spool_pending',
      help: 'Call records in the disk spool, not yet replayed',
      registers,
    }),
    replayed: new Counter({
      name: 'calltrack_records_replayed_total',
      help: 'Call records replayed from the disk spool',
      registers,
    }),
    dropped: new Counter({
      name: 'calltrack_records_dropped_total',
      help: 'Call records dropped because the disk spool was full',
      registers,
    }),
    latency: new Histogram({
      name: 'calltrack_record_write_seconds',
      help: 'Time to write one batch of call records to Redis',
      buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 2],
      registers,
    }),
  };
}

/**
 * Records a full spool could not take: counted and logged alike wherever it happens (at runtime
 * and at a start that spools the last run's records), so the metric and the log always agree.
 */
export function recordsDropped(
  metrics: WriterMetrics,
  logger: Logger,
  spoolPath: string,
  dropped: number,
): void {
  metrics.dropped.inc(dropped);
  logger.error({ dropped, path: spoolPath }, 'record spool full: call records dropped');
}
