/** Small in-memory dialplan sets for unit tests. */
import { readFileSync } from 'node:fs';
import { formatError } from '../../src/dialplan/errors.js';
import { loadDialplans, type SourceText } from '../../src/dialplan/load.js';
import { buildTable } from '../../src/dialplan/table.js';
import type { RouteTable } from '../../src/routing/route-table.js';

export const CUSTOMERS: SourceText = {
  file: 'customers.yaml',
  text: readFileSync('test/fixtures/dialplans/valid-minimal/customers.yaml', 'utf8'),
};

/** One YAML number entry; `extra` lines are appended at the entry's indentation. */
export function numberEntry(
  number: string,
  extra: string[] = [],
  customer = 'autohaus-berlin',
): string {
  return [
    `  - number: "${number}"`,
    `    customer: ${customer}`,
    '    source: mobile.de',
    ...extra.map((l) => `    ${l}`),
  ].join('\n');
}

export const ACTIVE = [
  'status: active',
  'destinations:',
  '  - to: "+493089001234"',
  '    ringTimeout: 20',
];

export function numbersFile(file: string, entries: string[]): SourceText {
  return { file, text: `version: 1\nnumbers:\n${entries.join('\n')}\n` };
}

/**
 * The two customers of CUSTOMERS, with `berlin` lines (hours, a closed action) under the Berlin
 * one; `file` sorts the file before or after the numbers.
 */
export function customersWith(berlin: string[], file = 'customers.yaml'): SourceText {
  return {
    file,
    text: [
      'version: 1',
      'customers:',
      '  - id: autohaus-berlin',
      '    name: Autohaus Berlin',
      '    seat: { country: DE, areaCode: "30" }',
      ...berlin.map((l) => `    ${l}`),
      '  - id: autohaus-graz',
      '    name: Autohaus Graz',
      '    seat: { country: AT, areaCode: "316" }',
      '',
    ].join('\n'),
  };
}

/** A German route table of these number entries, the Berlin customer with `berlin` lines. */
export function tableOf(entries: string[], berlin: string[] = [], now = new Date()): RouteTable {
  const r = loadDialplans([customersWith(berlin), numbersFile('n.yaml', entries)], { now });
  if (!r.ok) throw new Error(r.errors.map(formatError).join('\n'));
  return buildTable(r.set.decisions, r.set.summary, r.set.index, 'DE', now);
}
