/**
 * drachtio-server's admin port, spoken to as drachtio-srf does (lib/wire-protocol.js,
 * lib/drachtio-agent.js `_onConnect`): frames `<byte length>#<payload>`, the first one
 * `<msgId>|authenticate|<secret>|<tags>`; the server answers `<id>|response|<msgId>|OK|<hostport>|
 * <version>…` or a refusal (`NO|incorrect secret`) and then hangs up.
 */
import { randomUUID } from 'node:crypto';
import { offeredTransports } from '../../routing/sip-transport.js';
import { type TransportNeed, unmetNeeds } from '../../routing/transport-needs.js';
import { converse, describeNet, isNetFailure, type NetFailure } from './probe.js';
import { type CheckResult, failed, ok, warned } from './result.js';

export type DrachtioTarget = { host: string; port: number; secret: string };

export type DrachtioOutcome =
  | { kind: 'authenticated'; hostport: string; version: string }
  | { kind: 'secret-refused'; reason: string }
  | { kind: 'not-drachtio' }
  | NetFailure;

export function probeDrachtio(d: DrachtioTarget, timeoutMs: number): Promise<DrachtioOutcome> {
  return converse<DrachtioOutcome>(d.host, d.port, timeoutMs, (socket, settle) => {
    const msgId = randomUUID();
    const payload = `${msgId}|authenticate|${d.secret}|`;
    socket.write(`${Buffer.byteLength(payload, 'utf8')}#${payload}`);
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      const frame = firstFrame(pending);
      if (frame === 'incomplete') return;
      if (frame === 'garbage') return settle({ kind: 'not-drachtio' });
      const tokens = (frame.split('\r\n')[0] ?? '').split('|');
      if (tokens[1] !== 'response' || tokens[2] !== msgId) return settle({ kind: 'not-drachtio' });
      if (tokens[3] === 'OK')
        return settle({
          kind: 'authenticated',
          hostport: tokens[4] ?? '',
          version: tokens[5] ?? '',
        });
      settle({ kind: 'secret-refused', reason: tokens.slice(4).join('|') || (tokens[3] ?? '') });
    });
  });
}

/** The first whole frame's payload; drachtio-server writes at most 5 length digits per frame. */
function firstFrame(bytes: Buffer): string | 'incomplete' | 'garbage' {
  const hash = bytes.indexOf(0x23);
  const digits = bytes.subarray(0, hash < 0 ? bytes.length : hash).toString('latin1');
  if (!/^[0-9]*$/.test(digits) || digits.length > 6 || hash === 0) return 'garbage';
  if (hash < 0) return 'incomplete';
  const end = hash + 1 + Number(digits);
  return bytes.length < end ? 'incomplete' : bytes.subarray(hash + 1, end).toString('utf8');
}

const CHECK = 'drachtio';

/** Destinations named in a row (the gateway's warning at the connect names up to 20). */
const LISTED_NEEDS = 5;

/**
 * `listed`: the server came from DRACHTIO (one row per entry), not DRACHTIO_HOST/DRACHTIO_PORT.
 * `needs`: the transports the dialplans and the trunk name (routing/transport-needs.ts); one the
 * server does not listen on is a warning: calls to it through this server cannot connect.
 */
export function drachtioRow(
  d: DrachtioTarget,
  o: DrachtioOutcome,
  listed = false,
  needs: readonly TransportNeed[] = [],
): CheckResult {
  const where = `${d.host}:${d.port}`;
  const place = listed ? `its entry ${where} in DRACHTIO` : 'DRACHTIO_HOST/DRACHTIO_PORT';
  switch (o.kind) {
    case 'authenticated': {
      const detail = `${where}: authenticated (drachtio ${o.version || '?'}, SIP on ${o.hostport})`;
      const lacking = unmetNeeds(needs, offeredTransports(o.hostport));
      if (lacking.length === 0) return ok(CHECK, detail);
      const shown = lacking.slice(0, LISTED_NEEDS);
      return warned(
        CHECK,
        [
          detail,
          `${lacking.length} destination(s) name a transport it does not listen on; no call to them through it connects:`,
          ...shown.map((n) => `${n.uri} needs ${n.needs} (${n.usedBy})`),
          ...(lacking.length > shown.length ? [`… and ${lacking.length - shown.length} more`] : []),
        ].join('\n'),
        "add the transport to drachtio-server's contact (--contact sip:…;transport=udp,tcp,tls; TLS with --key-file/--cert-file) or change those destinations",
      );
    }
    case 'secret-refused':
      return failed(
        CHECK,
        `${where}: secret refused (${o.reason})`,
        "set DRACHTIO_SECRET to drachtio-server's admin secret (<admin secret=…> in drachtio.conf.xml, or its --secret)",
      );
    case 'not-drachtio':
      return failed(
        CHECK,
        `${where}: answers, but not in drachtio's protocol`,
        `point ${place} at drachtio-server's admin port (<admin port=…>, default 9022)`,
      );
    case 'refused':
      return failed(
        CHECK,
        describeNet(o, where),
        `start drachtio-server (docker run --net=host drachtio/drachtio-server) or set ${place} to its admin port (default 9022)`,
      );
    default:
      return failed(
        CHECK,
        describeNet(o, where),
        isNetFailure(o) && o.kind === 'closed'
          ? `check drachtio-server's log; is ${where} its admin port?`
          : `check ${place} and that a firewall lets this host reach ${where}`,
      );
  }
}
