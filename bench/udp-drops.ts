/**
 * Datagrams the kernel dropped because a UDP socket's receive buffer was full (`RcvbufErrors` in
 * /proc/net/snmp), machine-wide. A SIP server that falls behind for a moment loses requests and
 * answers this way; each costs a retransmission (more CPU per call on whichever side sees it) or,
 * lost again, a failed call. drachtio-server 0.9.10 asks for a 4 MB buffer (`udp-buffer-size`,
 * src/sip-transports.cpp) through `tport_set_params`; the sofia-sip of the build this bench was
 * run against applies that tag only when a transport is made (tport_type_udp.c), so its socket
 * kept the kernel's 208 kB default (`ss -uam`: rb212992) and dropped datagrams at 300 calls/s.
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
