/** Dialplans and sipp runs for the call-path end-to-end tests. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Test } from 'tap';
import type { StandinOptions } from '../standin/index.js';
import { type Gateway, startGateway } from './gateway.js';
import { runSipp, type SippMessage, type SippResult, startSipp } from './sipp.js';

export const CUSTOMERS = readFileSync(
  join(import.meta.dirname, '..', 'fixtures', 'dialplans', 'valid-minimal', 'customers.yaml'),
  'utf8',
);
export const TRACKING = '+493025550101';
export const CALLER = '+4917699887766';

export type Dest =
  /** A sipp dealer on this port; its URI says `;transport=` when given. */
  | { port: number; ringTimeout?: number; transport?: 'tcp' | 'tls' }
  | { e164: string; ringTimeout?: number }
  /** Any destination as written. */
  | { uri: string; ringTimeout?: number }
  /** A ringAll group of sipp dealers on these ports. */
  | { ringAll: number[]; ringTimeout?: number };

const dealerUri = (port: number, transport?: 'tcp' | 'tls') =>
  `sip:dealer@127.0.0.1:${port}${transport ? `;transport=${transport}` : ''}`;

/** One tracking number forwarding to sipp dealers on the given ports (SIP URIs), in order. */
export function numbersYaml(dests: Dest[], extra: string[] = [], number = TRACKING): string {
  const lines = [
    'version: 1',
    'numbers:',
    `  - number: "${number}"`,
    '    customer: autohaus-berlin',
    '    source: mobile.de',
    '    status: active',
    '    destinations:',
  ];
  for (const d of dests) {
    const first =
      'ringAll' in d
        ? `      - ringAll: [${d.ringAll.map((p) => `"${dealerUri(p)}"`).join(', ')}]`
        : `      - to: "${'port' in d ? dealerUri(d.port, d.transport) : 'uri' in d ? d.uri : d.e164}"`;
    lines.push(first, `        ringTimeout: ${d.ringTimeout ?? 10}`);
  }
  return `${[...lines, ...extra.map((l) => `    ${l}`)].join('\n')}\n`;
}

export function firstLines(r: SippResult, dir: SippMessage['dir']): string[] {
  return r.messages.filter((m) => m.dir === dir).map((m) => m.firstLine);
}

export function received(r: SippResult, method: string): SippMessage | undefined {
  return r.messages.find((m) => m.dir === 'received' && m.firstLine.startsWith(`${method} `));
}

/** The first response with `status` that the sipp side received. */
export function receivedAnswer(r: SippResult, status: number): SippMessage | undefined {
  return received(r, `SIP/2.0 ${status}`);
}

/**
 * A caller scenario's further keys and sipp arguments, the dealer scenario's keys, and how long
 * either sipp may take (20 s unless a test waits longer).
 */
export type SippCall = {
  keys?: Record<string, string>;
  extraArgs?: string[];
  dealerKeys?: Record<string, string>;
  timeoutMs?: number;
};

/** A sipp caller dialling `called` through the gateway's SIP address. */
export function callThrough(
  gw: { sip: { address: string; port: number } },
  scenario: string,
  called = TRACKING,
  caller = CALLER,
  { keys, extraArgs, timeoutMs = 20_000 }: SippCall = {},
): Promise<SippResult> {
  return runSipp({
    scenario,
    remote: gw.sip,
    keys: { caller, called, ...keys },
    extraArgs,
    timeoutMs,
  });
}

/** A sipp dealer waiting for the gateway's call. */
export function dealerSipp(scenario: string, timeoutMs = 20_000, keys?: Record<string, string>) {
  return startSipp({ scenario, timeoutMs, keys });
}

/**
 * The commonest bed: one tracking number forwarding to one sipp dealer, one sipp caller dialling
 * it through the gateway. Both sipp runs must pass their scenario (asserted here).
 */
export async function oneCall(
  t: Test,
  scenarios: { caller: string; dealer: string },
  env: Record<string, string> = {},
  standinOptions: Partial<StandinOptions> = {},
  sipp: SippCall = {},
): Promise<{ gw: Gateway; caller: SippResult; dealer: SippResult }> {
  const d = await dealerSipp(scenarios.dealer, sipp.timeoutMs, sipp.dealerKeys);
  const gw = await startGateway(
    t,
    { 'customers.yaml': CUSTOMERS, 'numbers.yaml': numbersYaml([{ port: d.port }]) },
    env,
    standinOptions,
  );
  const caller = await callThrough(gw, scenarios.caller, TRACKING, CALLER, sipp);
  const dealer = await d.done;
  t.match(caller, { exitCode: 0 }, `caller: ${caller.errors}`);
  t.match(dealer, { exitCode: 0 }, `dealer: ${dealer.errors}`);
  return { gw, caller, dealer };
}
