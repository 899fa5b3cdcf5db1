/**
 * Datagrams the kernel dropped because a UDP socket's receive buffer was full (`RcvbufErrors` in
 * /proc/net/snmp), machine-wide. A SIP server that falls behind for a moment loses requests and
 * answers this way; each costs a retransmission (more CPU per call on whichever side sees it) or,
 * lost again, a failed call: the calls a drachtio-server build with the kernel's default buffer
 * never answered (bench/cpu-per-call.md, sixteenth look).
 */
import { readFileSync } from 'node:fs';

/**
 * The counters of one protocol in /proc/net/snmp's text: a header line of names and a line of
 * values, both starting with `<proto>:`.
 */
export function snmpCounters(text: string, proto: string): Record<string, number> {
  const lines = text.split('\n').filter((l) => l.startsWith(`${proto}:`));
  const [names, values] = lines.map((l) => l.split(/\s+/).slice(1));
  if (!names || !values || names.length !== values.length)
    throw new Error(`/proc/net/snmp: no header and value lines for ${proto}`);
  return Object.fromEntries(names.map((name, i) => [name, Number(values[i])]));
}

/** Datagrams dropped for a full receive buffer since boot, on every UDP socket of the machine. */
export function udpReceiveBufferDrops(text = readFileSync('/proc/net/snmp', 'utf8')): number {
  const drops = snmpCounters(text, 'Udp').RcvbufErrors;
  if (drops === undefined || !Number.isFinite(drops))
    throw new Error('/proc/net/snmp: Udp has no RcvbufErrors counter');
  return drops;
}

/** What a failed run says about them: nothing when none were dropped. */
export function dropsHint(drops: number): string {
  if (drops <= 0) return '';
  return `; the kernel dropped ${drops} UDP datagrams meanwhile for a full receive buffer (RcvbufErrors): a SIP server's socket too small for the bursts (ss -uam shows its rb), see bench/udp-drops.ts`;
}
