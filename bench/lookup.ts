/**
 * normalise+lookup over a table of 1,000,000 numbers, with raw numbers in the shapes carriers
 * send, against a bare Map.get of the already-normalised keys (the floor any lookup pays).
 */
import { decide } from '../src/dialplan/compile.js';
import { e164Value } from '../src/numbering/normalise.js';
import type { RouteDecision } from '../src/routing/decision.js';
import { NumberIndex } from '../src/routing/number-index.js';
import { EMPTY_INFO, RouteTable } from '../src/routing/route-table.js';
import { generateNumbers } from './fixtures.js';
import { figure } from './report.js';

const SIZE = 1_000_000;
const QUERIES = 2_000_000;
const ROUNDS = 5;

function rawShape(e164: string, i: number): string {
  switch (i % 5) {
    case 0:
      return e164;
    case 1:
      return `00${e164.slice(1)}`;
    case 2:
      return e164.startsWith('+49') ? `0${e164.slice(3)}` : e164;
    case 3:
      return `tel:${e164.slice(0, 3)}-${e164.slice(3, 6)}-${e164.slice(6)}`;
    default:
      return `sip:${e164}@10.0.0.1;user=phone`;
  }
}

const decisions: RouteDecision[] = [];
const keys: string[] = [];
const destination = { type: 'e164', number: '+493089001234', ringTimeoutMs: 20_000 } as const;
for (const n of generateNumbers(SIZE, 2000)) {
  const doc = {
    number: n.number,
    customer: n.customer,
    source: 'bench',
    status: 'active' as const,
  };
  decisions.push(decide(doc, [destination]));
  keys.push(n.number);
}
const index = NumberIndex.build(keys.map(e164Value));
const table = new RouteTable({ decisions, index, customers: [] }, EMPTY_INFO, 'DE');
const baseline = new Map<string, unknown>(keys.map((k) => [k, { k }]));

// random order, so neither loop walks the Map in insertion order
const order = Array.from({ length: QUERIES }, () => Math.floor(Math.random() * SIZE));
const raws = order.map((i, q) => rawShape(keys[i]!, q));
const normalised = order.map((i) => keys[i]!);

function measure(fn: () => number): number {
  let best = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const t = performance.now();
    const hits = fn();
    const opsPerSecond = QUERIES / ((performance.now() - t) / 1000);
    if (hits !== QUERIES) throw new Error(`bench lookup: ${QUERIES - hits} misses`);
    best = Math.max(best, opsPerSecond);
  }
  return best;
}

const base = measure(() => {
  let hits = 0;
  for (let q = 0; q < QUERIES; q++) if (baseline.get(normalised[q]!) !== undefined) hits++;
  return hits;
});
const ours = measure(() => {
  let hits = 0;
  for (let q = 0; q < QUERIES; q++) if (table.lookup(raws[q]!).kind === 'forward') hits++;
  return hits;
});

figure('lookup', 'map-get-baseline', base, 'ops/s');
figure('lookup', 'normalise+lookup', ours, 'ops/s');
figure('lookup', 'ratio-to-baseline', ours / base, 'x');
