/**
 * normalise+lookup over a table of 1,000,000 numbers, with raw numbers in the shapes carriers
 * send, against a bare Map.get of the already-normalised keys (the floor any lookup pays); then
 * the same with the plan at the call's instant, every number under business hours (its
 * customer's, or for every fourth its own), over four hours of a Wednesday afternoon.
 */
import { decide } from '../src/dialplan/compile.js';
import type { CustomerDoc, NumberOptions } from '../src/dialplan/types.js';
import { e164Value } from '../src/numbering/normalise.js';
import type { RouteDecision } from '../src/routing/decision.js';
import { NumberIndex } from '../src/routing/number-index.js';
import { EMPTY_INFO, RouteTable } from '../src/routing/route-table.js';
import { customerId, generateNumbers } from './fixtures.js';
import { figure } from './report.js';

const SIZE = 1_000_000;
const QUERIES = 2_000_000;
const ROUNDS = 5;
const CUSTOMERS = 2000;
/** Wednesday 2026-11-18 14:00 in Berlin; the queries of a round span four hours from here. */
const T0 = Date.parse('2026-11-18T13:00:00Z');
const STEP_MS = 10;

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
const OWN_HOURS: NumberOptions = {
  businessHours: {
    open: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '07:00', to: '20:00' }],
  },
  closed: { action: 'announcement', file: 'closed.wav' },
};
let i = 0;
for (const n of generateNumbers(SIZE, CUSTOMERS)) {
  const doc = {
    number: n.number,
    customer: n.customer,
    source: 'bench',
    status: 'active' as const,
    ...(i++ % 4 === 0 && { options: OWN_HOURS }),
  };
  decisions.push(decide(doc, [destination]));
  keys.push(n.number);
}
const customers: CustomerDoc[] = Array.from({ length: CUSTOMERS }, (_, c) => ({
  id: customerId(c),
  name: `Dealer ${c}`,
  seat: { country: 'DE', areaCode: '30' },
  businessHours: {
    timezone: 'Europe/Berlin',
    holidays: 'DE-BE',
    open: [
      { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '08:00', to: '18:00' },
      { days: ['sat'], from: '09:00', to: '13:00' },
    ],
    closedDates: [{ from: '2026-12-24', to: '2026-12-31', name: 'Betriebsferien' }],
  },
  closed: { action: 'voicemail' },
}));
const index = NumberIndex.build(keys.map(e164Value));
const table = new RouteTable({ decisions, index, customers }, EMPTY_INFO, 'DE');
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

let open = 0;
const planned = measure(() => {
  let hits = 0;
  open = 0;
  for (let q = 0; q < QUERIES; q++) {
    const d = table.lookup(raws[q]!);
    if (d.kind !== 'forward') continue;
    hits++;
    if (table.plan(d, T0 + q * STEP_MS).open) open++;
  }
  return hits;
});

figure('lookup', 'map-get-baseline', base, 'ops/s');
figure('lookup', 'normalise+lookup', ours, 'ops/s');
figure('lookup', 'ratio-to-baseline', ours / base, 'x');
figure('lookup', 'normalise+lookup+plan', planned, 'ops/s');
figure('lookup', 'plan-ratio-to-lookup', planned / ours, 'x');
figure('lookup', 'plan-open-share', open / QUERIES, 'ratio');
