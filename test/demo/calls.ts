/**
 * The demo's SIP peers: one sipp dealer that answers every call the gateway sends to its trunk,
 * and one sipp caller per tracking number, which takes whatever final answer comes.
 */
import { join } from 'node:path';
import { runSipp, type SippResult, type SippRun, startSipp } from '../helpers/sipp.js';

const ANY_FINAL = join(import.meta.dirname, 'uac-any-final.xml');
export const DEMO_CALLER = '+4917612345678';

/** A dealer for `-m` calls; sipp ends itself after `lifetimeMs` at the latest. */
export function startDealer(lifetimeMs: number): Promise<SippRun> {
  return startSipp({ scenario: 'uas-answer-200.xml', calls: 1000, timeoutMs: lifetimeMs });
}

export type CallResult = { sipStatus: string; sipp: SippResult };

export async function placeCall(
  sip: { address: string; port: number },
  called: string,
): Promise<CallResult> {
  const sipp = await runSipp({
    scenario: ANY_FINAL,
    remote: sip,
    keys: { caller: DEMO_CALLER, called },
    timeoutMs: 45_000,
  });
  return { sipStatus: finalStatus(sipp), sipp };
}

/** The first final answer to the INVITE the caller received, or '-' when none came. */
function finalStatus(r: SippResult): string {
  for (const m of r.messages) {
    if (m.dir !== 'received' || !/^CSeq:\s*\d+\s+INVITE/im.test(m.text)) continue;
    const status = /^SIP\/2\.0 (\d{3})/.exec(m.firstLine)?.[1];
    if (status && Number(status) >= 200) return status;
  }
  return '-';
}
