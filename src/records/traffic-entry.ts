/**
 * The traffic record: what billing needs of a call and nothing more (seed 003): the caller's
 * number unless withheld, day and time, duration and the number the call went to. It lives in
 * its own stream, apart from the anonymised record (entry.ts), kept short and readable only by
 * billing and admins. Flat string fields; this module is the one definition of the format.
 */
import type { CallRecord } from '../call/record.js';
import { flatCodec } from './flat-fields.js';

export type TrafficRecord = {
  /** The same id as the call's anonymised record: a dispute is answered by joining the two. */
  id: string;
  trackingNumber: string;
  customer: string;
  /** E.164 as the carrier sent it; '' when withheld (CLIR wins) or when none came. */
  caller: string;
  /** The destination that answered (E.164 or SIP URI as routed); '' when none did. */
  destination: string;
  startedAt: string;
  answeredAt: string;
  endedAt: string;
  /** Whole seconds billed: talk time rounded up to the started second; '0' when not answered. */
  billableSeconds: string;
  outcome: string;
  node: string;
};

export const TRAFFIC_FIELDS: Readonly<Record<keyof TrafficRecord, string>> = {
  id: 'id',
  trackingNumber: 'number',
  customer: 'customer',
  caller: 'caller',
  destination: 'destination',
  startedAt: 'start',
  answeredAt: 'answer',
  endedAt: 'end',
  billableSeconds: 'billable_s',
  outcome: 'outcome',
  node: 'node',
};

export function billableSeconds(talkMs: number | undefined): number {
  return talkMs && talkMs > 0 ? Math.ceil(talkMs / 1000) : 0;
}

/** CallRecord → TrafficRecord. A withheld caller's number is never copied, whatever came. */
export function trafficOf(r: CallRecord): TrafficRecord {
  return {
    id: r.recordId,
    trackingNumber: r.trackingNumber ?? '',
    customer: r.customerId ?? '',
    caller: r.callerWithheld ? '' : (r.callerNumber ?? ''),
    destination: r.answeredAt ? (r.destination ?? '') : '',
    startedAt: r.startedAt,
    answeredAt: r.answeredAt ?? '',
    endedAt: r.endedAt,
    billableSeconds: String(billableSeconds(r.answeredAt ? r.talkMs : 0)),
    outcome: r.outcome,
    node: r.nodeId,
  };
}

const codec = flatCodec<TrafficRecord>(TRAFFIC_FIELDS);

/** `[field, value, …]` for XADD. */
export const toTrafficFields = codec.toFields;
/** An XRANGE entry's field list back into a traffic record; unknown fields are ignored. */
export const fromTrafficFields = codec.fromFields;
