/** Traffic records for the traffic read tests: an answered call to Autohaus Berlin unless `over` says otherwise. */
import type { Redis } from 'ioredis';
import { type TrafficRecord, toTrafficFields } from '../../src/records/traffic-entry.js';

export function trafficRecord(id: string, over: Partial<TrafficRecord> = {}): TrafficRecord {
  return {
    id,
    trackingNumber: '+493025550101',
    customer: 'autohaus-berlin',
    caller: '+4917612345678',
    destination: '+493012345',
    startedAt: '2026-11-03T10:00:00.000Z',
    answeredAt: '2026-11-03T10:00:05.000Z',
    endedAt: '2026-11-03T10:01:05.000Z',
    billableSeconds: '60',
    outcome: 'answered',
    node: 'node-a',
    ...over,
  };
}

/** XADDs each record with its end time as the stream id, as the gateway does at call end. */
export async function addTraffic(
  redis: Redis,
  stream: string,
  records: readonly TrafficRecord[],
): Promise<void> {
  for (const r of records)
    await redis.xadd(stream, `${Date.parse(r.endedAt)}-*`, ...toTrafficFields(r));
}
