/**
 * The numbers the demo dials: every tracking number of a dialplan folder, read through the
 * gateway's own loader (active and deactivated alike), with its source and what the dialplan
 * says a call gets at a given instant (open, closed and why, or refused).
 */
import { formatError } from '../../src/dialplan/errors.js';
import { loadDialplanDir } from '../../src/dialplan/load.js';
import { buildTable } from '../../src/dialplan/table.js';

/**
 * The demo's default clock for business hours (HOURS_CLOCK_START): a Friday morning, most numbers
 * open and one on its closed date, so every run shows the same several outcomes.
 */
export const DEMO_AT = '2026-11-27T10:00:00+01:00';

export type Expected =
  | { kind: 'open' }
  | { kind: 'closed'; why: string }
  | { kind: 'refused'; reason: string; sipStatus: number };

export type SampleNumber = { number: string; customer: string; source: string; expected: Expected };

export async function sampleNumbers(dir: string, atMs: number): Promise<SampleNumber[]> {
  const now = new Date(atMs);
  const loaded = await loadDialplanDir(dir, now);
  if (!loaded.ok)
    throw new Error(
      `the dialplans in ${dir} do not load:\n${loaded.errors.map(formatError).join('\n')}`,
    );
  const { decisions, summary, index } = loaded.set;
  const table = buildTable(decisions, summary, index, 'DE', now);
  return decisions.flatMap((d): SampleNumber[] => {
    if (d.kind === 'reject') {
      if (!d.number) return [];
      const expected = { kind: 'refused', reason: d.reason, sipStatus: d.sipStatus } as const;
      return [{ number: d.number, customer: d.customerId ?? '', source: d.source ?? '', expected }];
    }
    const plan = table.plan(d, atMs);
    const expected: Expected = plan.open
      ? { kind: 'open' }
      : { kind: 'closed', why: plan.why.kind };
    return [{ number: d.number, customer: d.customerId, source: d.source, expected }];
  });
}
