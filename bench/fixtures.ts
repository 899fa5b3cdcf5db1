/**
 * Synthetic but valid dialplan sets for benchmarks: customers seated in real DE/AT area codes,
 * each with many tracking numbers in its own area code, some deactivated, some with options.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** [country, country code, area code, subscriber digits] — lengths the numbering plan accepts. */
const AREAS: readonly [string, string, string, number][] = [
  ['DE', '49', '30', 8],
  ['DE', '49', '40', 8],
  ['DE', '49', '89', 8],
  ['DE', '49', '221', 7],
  ['DE', '49', '69', 8],
  ['DE', '49', '711', 7],
  ['DE', '49', '351', 7],
  ['DE', '49', '341', 7],
  ['DE', '49', '511', 7],
  ['DE', '49', '911', 7],
  ['DE', '49', '33631', 5],
  ['AT', '43', '1', 7],
  ['AT', '43', '316', 6],
  ['AT', '43', '662', 6],
  ['AT', '43', '732', 6],
  ['AT', '43', '512', 6],
];

export type GeneratedNumber = { number: string; customer: string; area: number; active: boolean };

export function* generateNumbers(count: number, customers: number): Generator<GeneratedNumber> {
  const next = AREAS.map(() => 0);
  for (let i = 0; i < count; i++) {
    const c = i % customers;
    const area = c % AREAS.length;
    const [, cc, code, digits] = AREAS[area]!;
    const subscriber = 2 * 10 ** (digits - 1) + next[area]!;
    next[area]! += 1;
    yield {
      number: `+${cc}${code}${subscriber}`,
      customer: customerId(c),
      area,
      active: i % 20 !== 7,
    };
  }
}

export function customerId(c: number): string {
  return `dealer-${String(c).padStart(5, '0')}`;
}

function destinationOf(area: number, c: number): string {
  const [, cc, code, digits] = AREAS[area]!;
  return `+${cc}${code}${9 * 10 ** (digits - 1) + c}`;
}

function customersYaml(customers: number): string {
  const lines = ['version: 1', 'customers:'];
  for (let c = 0; c < customers; c++) {
    const [country, , code] = AREAS[c % AREAS.length]!;
    lines.push(
      `  - id: ${customerId(c)}`,
      `    name: Dealer ${c}`,
      '    seat:',
      `      country: ${country}`,
      `      areaCode: "${code}"`,
    );
  }
  return `${lines.join('\n')}\n`;
}

function numberYaml(n: GeneratedNumber, i: number, customers: number): string {
  const c = i % customers;
  const lines = [
    `  - number: "${n.number}"`,
    `    customer: ${n.customer}`,
    `    source: channel-${i % 7}`,
  ];
  lines.push(
    n.active ? '    status: active' : '    status: deactivated\n    deactivatedAt: 2025-01-15',
  );
  lines.push(
    '    destinations:',
    `      - to: "${destinationOf(n.area, c)}"`,
    '        ringTimeout: 20',
  );
  if (i % 10 === 0) lines.push('    options:', `      displayPrefix: "[channel-${i % 7}]"`);
  return lines.join('\n');
}

/** Writes `count` numbers into `files` files plus customers.yaml; returns the directory. */
export async function writeDialplanSet(
  dir: string,
  count: number,
  files: number,
  customers: number,
): Promise<string> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'customers.yaml'), customersYaml(customers));
  const perFile = Math.ceil(count / files);
  const gen = generateNumbers(count, customers);
  for (let f = 0, i = 0; f < files; f++) {
    const parts = ['version: 1', 'numbers:'];
    for (let k = 0; k < perFile && i < count; k++, i++)
      parts.push(numberYaml(gen.next().value as GeneratedNumber, i, customers));
    await writeFile(
      join(dir, `numbers-${String(f).padStart(4, '0')}.yaml`),
      `${parts.join('\n')}\n`,
    );
  }
  return dir;
}

/**
 * The call-rate benchmarks' dialplan: Berlin numbers of one customer, each forwarding to one
 * E.164 destination (the outbound trunk is the sipp dealer); `options` lines go under a number.
 */
export function callBenchDialplan(numbers: { number: string; options?: string[] }[]): string {
  const lines = [
    'version: 1',
    'customers:',
    '  - id: autohaus-berlin',
    '    name: Autohaus Berlin',
    '    seat: { country: DE, areaCode: "30" }',
    'numbers:',
  ];
  for (const n of numbers)
    lines.push(
      `  - number: "${n.number}"`,
      '    customer: autohaus-berlin',
      '    source: mobile.de',
      '    status: active',
      '    destinations:',
      '      - to: "+493089001234"',
      '        ringTimeout: 20',
      ...(n.options ?? []).map((l) => `    ${l}`),
    );
  return `${lines.join('\n')}\n`;
}
