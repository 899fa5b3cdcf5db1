/**
 * Answers drachtio-server's stack gives itself, told by their empty source address: it took a
 * request and could not send it (a `sips:` without TLS: 416; a host it cannot resolve: 503 DNS
 * Error), or a transport failed under it (RFC 3261 8.1.3.1 reports one as 503: an ICMP port
 * unreachable, a refused or reset TCP connection; 410 when a write to a broken TCP connection
 * fails again after one retry, EPIPE, nta.c outgoing_tport_error), or its Timer B ran out (408).
 * Nothing of those came from the far end.
 */

/** An answer with this source address is the stack's own, not the far end's. */
export const fromStack = (source: string | undefined): boolean => source === '';

/**
 * Whether the answer to a keepalive is the far end's: it has lost the dialog with 481, and 408
 * means nobody answered (RFC 3261 12.2.1.2); the stack's 503 or 410 is a transport error, a
 * process that died or a PBX restarted on another port. Any other answer, a far end's own 503
 * included, is someone there.
 */
export function there(status: number, source: string | undefined): boolean {
  if (status === 481 || status === 408) return false;
  return !(fromStack(source) && (status === 503 || status === 410));
}
