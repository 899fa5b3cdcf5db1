/** Compiled decisions and their summary → the RouteTable that lookups read. */
import type { RouteDecision } from '../routing/decision.js';
import type { NumberIndex } from '../routing/number-index.js';
import { RouteTable } from '../routing/route-table.js';
import type { SetSummary } from './set-builder.js';

export type CountryName = 'DE' | 'AT';

export function buildTable(
  decisions: readonly RouteDecision[],
  summary: SetSummary,
  index: NumberIndex,
  defaultCountry: CountryName,
  loadedAt: Date,
): RouteTable {
  const info = {
    version: summary.version,
    loadedAt: loadedAt.toISOString(),
    activeNumbers: summary.activeNumbers,
    deactivatedNumbers: summary.deactivatedNumbers,
    customers: summary.customers.length,
  };
  return new RouteTable({ decisions, index, customers: summary.customers }, info, defaultCountry);
}
