/**
 * The OpenAPI schemas of what the admin API reads from the call records: reports from the
 * analytics counts, traffic rows for billing and lawful requests, the anonymised call history.
 */
import { OUTCOMES } from '../records/analytics-keys.js';
import { EXPORT_COLUMNS } from '../records/export.js';
import { TRAFFIC_COLUMNS } from '../records/traffic-rows.js';
import { ref, type Schema } from './openapi-ref.js';

const COUNT = { type: 'integer', minimum: 0 };
const OUTCOME_COUNTS = {
  type: 'object',
  required: [...OUTCOMES],
  additionalProperties: false,
  properties: Object.fromEntries(OUTCOMES.map((o) => [o, COUNT])),
};

const NULLABLE_TEXT = { type: ['string', 'null'] };
const NULLABLE_INT = { type: ['integer', 'null'] };
const EXPORT_TYPES: Record<string, Schema> = {
  id: { type: 'string' },
  start: { type: 'string' },
  source: { type: 'string' },
  outcome: { type: 'string' },
  caller_country: { type: 'string' },
  caller_kind: { type: 'string' },
  caller_withheld: { type: 'boolean' },
  sip_status: NULLABLE_INT,
  destination_index: NULLABLE_INT,
  ring_ms: NULLABLE_INT,
  talk_ms: NULLABLE_INT,
};

export function recordSchemas(): Record<string, Schema> {
  return {
    Report: {
      type: 'object',
      description: "a customer's calls per source over local days, from the analytics counts",
      required: ['customer', 'from', 'to', 'calls', 'talkMs', 'outcomes', 'afterHours', 'sources'],
      additionalProperties: false,
      properties: {
        customer: { type: 'string' },
        from: { type: 'string', format: 'date' },
        to: { type: 'string', format: 'date' },
        calls: COUNT,
        talkMs: COUNT,
        outcomes: OUTCOME_COUNTS,
        afterHours: COUNT,
        sources: {
          type: 'array',
          items: {
            type: 'object',
            required: ['source', 'calls', 'share', 'outcomes', 'talkMs', 'afterHours'],
            additionalProperties: false,
            properties: {
              source: { type: 'string' },
              calls: COUNT,
              share: { type: 'number', minimum: 0, maximum: 1 },
              outcomes: OUTCOME_COUNTS,
              talkMs: COUNT,
              afterHours: COUNT,
            },
          },
        },
      },
    },
    TrafficRow: {
      type: 'object',
      description:
        'one call as billing needs it; `caller` null when withheld, or as TRAFFIC_CALLER_DISPLAY hides it from a customer (`none`), last three digits `x` when `masked`',
      required: [...TRAFFIC_COLUMNS],
      additionalProperties: false,
      properties: Object.fromEntries(
        TRAFFIC_COLUMNS.map((c) => [
          c,
          c === 'id' || c === 'start' || c === 'outcome'
            ? { type: 'string' }
            : c === 'billable_seconds'
              ? { type: ['integer', 'null'], minimum: 0 }
              : NULLABLE_TEXT,
        ]),
      ),
    },
    LawfulRequest: {
      type: 'object',
      required: ['number', 'from', 'to', 'reason'],
      additionalProperties: false,
      properties: {
        number: { type: 'string', description: 'the tracking number, E.164' },
        from: { type: 'string', description: 'YYYY-MM-DD (UTC day) or an RFC 3339 time, included' },
        to: { type: 'string', description: 'YYYY-MM-DD (UTC day) or an RFC 3339 time, included' },
        reason: {
          type: 'string',
          minLength: 10,
          maxLength: 500,
          description: 'the legal basis or case reference (audited)',
        },
      },
    },
    LawfulAnswer: {
      type: 'object',
      required: ['number', 'from', 'to', 'records'],
      additionalProperties: false,
      properties: {
        number: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        records: { type: 'array', items: ref('TrafficRow') },
      },
    },
    CallHistoryRow: {
      type: 'object',
      description: 'one call, anonymised: no caller number, no pseudonym',
      required: [...EXPORT_COLUMNS],
      additionalProperties: false,
      properties: Object.fromEntries(
        EXPORT_COLUMNS.map((c) => [c, EXPORT_TYPES[c] ?? NULLABLE_TEXT]),
      ),
    },
  };
}
