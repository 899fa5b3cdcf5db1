/** Small in-memory dialplan sets for unit tests. */
import { readFileSync } from 'node:fs';
import type { SourceText } from '../../src/dialplan/load.js';

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
