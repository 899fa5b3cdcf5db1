/**
 * A customer's calls per source over a period of local days, from the analytics counts: calls by
 * outcome, each source's share of the customer's calls, talk time, and the calls that came while
 * the number was closed (what the dealer misses, or sends to an answering service).
 */
import type { RedisClient } from '../redis/connect.js';
import {
  AFTER_HOURS_FIELD,
  callsKey,
  OUTCOMES,
  type Outcome,
  parseCountField,
  TALK_FIELD,
} from './analytics-keys.js';
import { daysBetween } from './day-range.js';

export type OutcomeCounts = Record<Outcome, number>;

export type SourceRow = {
  source: string;
  calls: number;
  /** Fraction of the customer's calls in the period, 0…1. */
  share: number;
  outcomes: OutcomeCounts;
  talkMs: number;
  /** Calls while the number was closed (outside hours, holiday, closed date). */
  afterHours: number;
};

export type Report = {
  customer: string;
  from: string;
  to: string;
  calls: number;
  talkMs: number;
  outcomes: OutcomeCounts;
  afterHours: number;
  sources: SourceRow[];
};

export async function readReport(
  redis: RedisClient,
  customer: string,
  from: string,
  to: string,
): Promise<Report> {
  const pipeline = redis.pipeline();
  for (const day of daysBetween(from, to)) pipeline.hgetall(callsKey(customer, day));
  const replies = (await pipeline.exec()) ?? [];
  const hashes = replies.map(([err, value]) => {
    if (err) throw err;
    return value as Record<string, string>;
  });
  return buildReport(customer, from, to, hashes);
}

/** Sums the day hashes per source; sources by calls, most first, then by name. */
export function buildReport(
  customer: string,
  from: string,
  to: string,
  dayHashes: readonly Record<string, string>[],
): Report {
  const bySource = new Map<string, SourceRow>();
  const row = (source: string): SourceRow => {
    let r = bySource.get(source);
    if (!r) {
      r = { source, calls: 0, share: 0, outcomes: zeroOutcomes(), talkMs: 0, afterHours: 0 };
      bySource.set(source, r);
    }
    return r;
  };
  for (const hash of dayHashes) {
    for (const [field, value] of Object.entries(hash)) {
      const parsed = parseCountField(field);
      const n = Number(value);
      if (!parsed || !Number.isFinite(n)) continue;
      const r = row(parsed.source);
      if (parsed.what === TALK_FIELD) r.talkMs += n;
      else if (parsed.what === AFTER_HOURS_FIELD) r.afterHours += n;
      else {
        r.calls += n;
        if (isOutcome(parsed.what)) r.outcomes[parsed.what] += n;
      }
    }
  }
  const sources = [...bySource.values()].sort(
    (a, b) => b.calls - a.calls || a.source.localeCompare(b.source),
  );
  const calls = sources.reduce((sum, r) => sum + r.calls, 0);
  const outcomes = zeroOutcomes();
  for (const r of sources) {
    r.share = calls > 0 ? r.calls / calls : 0;
    for (const o of OUTCOMES) outcomes[o] += r.outcomes[o];
  }
  const talkMs = sources.reduce((sum, r) => sum + r.talkMs, 0);
  const afterHours = sources.reduce((sum, r) => sum + r.afterHours, 0);
  return { customer, from, to, calls, talkMs, outcomes, afterHours, sources };
}

function zeroOutcomes(): OutcomeCounts {
  return Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as OutcomeCounts;
}

function isOutcome(what: string): what is Outcome {
  return (OUTCOMES as readonly string[]).includes(what);
}
