/**
 * What `bench/faults` makes of one fault: each call the gateway was handed owes exactly one
 * record. Pure: the numbers in, the figures and every problem out (the bench fails on any).
 */

export interface FaultCounts {
  /** Calls sipp started, and those that did not end as the scenario expects. */
  placed: number;
  failed: number;
  /** Distinct caller INVITEs the drachtio stand-in handed to a gateway (each owes a record). */
  handed: number;
  /**
   * gateway-kill only: of those, the ones the killed gateway never read (matchCalls below):
   * owed by no one, counted apart rather than as lost.
   */
  unread?: number;
  /**
   * Calls the gateway still had in progress when the bench stopped waiting: their records are
   * missing from the stream too (lost as far as the run can tell), but may come when they end.
   */
  stillUp: number;
  /** Stream entries, and distinct record ids among them. */
  entries: number;
  distinct: number;
  /** Records matching no call handed (faults-count.ts matchCalls); counted in every fault. */
  surplus?: number;
  /**
   * The spool-full fault only: `calltrack_records_dropped_total`, and the sum of `dropped` over
   * the gateway's "record spool full" log lines.
   */
  dropped?: { metric: number; logged: number };
}

export interface FaultVerdict {
  lost: number;
  /** The same record id written more than once. */
  duplicates: number;
  /** More distinct records than calls handed: records of calls that never were. */
  extra: number;
  problems: string[];
}

export function judge(c: FaultCounts): FaultVerdict {
  const owed = c.handed - (c.unread ?? 0);
  const lost = Math.max(0, owed - c.distinct);
  // records of more calls than were handed: calls that never were
  const extra = Math.max(0, c.distinct - c.handed);
  const duplicates = c.entries - c.distinct;
  const problems: string[] = [];
  if (duplicates > 0) problems.push(`${duplicates} records written twice`);
  if (extra > 0)
    problems.push(`${c.distinct} distinct records for ${c.handed} calls handed: ${extra} extra`);
  if (c.handed === 0) problems.push('no call reached the gateway');
  if (c.surplus)
    problems.push(
      `${c.surplus} records match no call handed by caller and number: a call written twice under two ids`,
    );
  if (!c.dropped) {
    if (lost > 0)
      problems.push(
        `${lost} records lost (${c.handed} calls, ${c.distinct} records)${c.stillUp ? `; ${c.stillUp} calls still up at the gateway` : ''}`,
      );
    return { lost, duplicates, extra, problems };
  }
  const { metric, logged } = c.dropped;
  if (metric === 0) problems.push('the spool never filled: no record dropped, nothing measured');
  // a call still up has no record yet, dropped or not: it is named, not counted as a drop
  if (c.stillUp > 0) problems.push(`${c.stillUp} calls still up at the gateway`);
  if (lost !== metric + c.stillUp)
    problems.push(
      `${lost} records lost but calltrack_records_dropped_total says ${metric}${c.stillUp ? ` (and ${c.stillUp} calls still up)` : ''}`,
    );
  if (logged !== metric)
    problems.push(`${metric} records dropped by the metric but ${logged} in the log`);
  return { lost, duplicates, extra, problems };
}

/** A call as the stand-in handed it (faults-calls.ts), keyed as its record would be. */
export type KeyedCall = { key: string; conn: number; acted: boolean };

export type CallMatch = {
  /**
   * Calls the killed gateway never read: handed to its connection, never acted on there (no
   * frame about them came back), and without a record.
   */
  unread: number;
  /** Records beyond the calls handed with their key: a call written twice under two ids. */
  surplus: number;
};

/**
 * Calls and records matched by `key` (caller pseudonym and tracking number). Where a key has
 * fewer records than calls, its calls not acted on at the killed connection are the missing
 * ones first, and only as many as are missing: a call the gateway answered or forwarded is
 * never excused. `killedConn` -1: no gateway was killed, nothing is unread.
 */
export function matchCalls(
  calls: readonly KeyedCall[],
  recordKeys: readonly string[],
  killedConn: number,
): CallMatch {
  const records = new Map<string, number>();
  for (const key of recordKeys) records.set(key, (records.get(key) ?? 0) + 1);
  const byKey = new Map<string, { calls: number; silent: number }>();
  for (const c of calls) {
    const k = byKey.get(c.key) ?? { calls: 0, silent: 0 };
    k.calls++;
    if (killedConn >= 0 && c.conn === killedConn && !c.acted) k.silent++;
    byKey.set(c.key, k);
  }
  let unread = 0;
  for (const [key, k] of byKey) {
    const missing = Math.max(0, k.calls - (records.get(key) ?? 0));
    unread += Math.min(missing, k.silent);
  }
  let surplus = 0;
  for (const [key, n] of records) surplus += Math.max(0, n - (byKey.get(key)?.calls ?? 0));
  return { unread, surplus };
}
