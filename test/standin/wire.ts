// The drachtio message shapes inside a frame: `<msgId>|<type>|<field>|…` + optional CRLF + SIP.
import { newUuid, stackTime } from './ids.js';

const CRLF = '\r\n';

export interface AppFrame {
  msgId: string;
  type: string;
  /** The first line split on `|`; tokens[0] is the msgId, tokens[1] the type. */
  tokens: string[];
  /** Everything after the first CRLF (the SIP message), or ''. */
  sip: string;
}

export function parseAppFrame(payload: string): AppFrame {
  const eol = payload.indexOf(CRLF);
  const leader = eol < 0 ? payload : payload.slice(0, eol);
  const tokens = leader.split('|');
  return {
    msgId: tokens[0] ?? '',
    type: tokens[1] ?? '',
    tokens,
    sip: eol < 0 ? '' : payload.slice(eol + 2),
  };
}

/** The `source|bytes|protocol|address|port|time` block drachtio-server puts in front of SIP. */
export interface Meta {
  source: 'network' | 'application';
  bytes: number;
  /** Empty when sofia had already let go of the transport (ACKs, final non-INVITE responses). */
  /** `unknown`: a message sofia made or took without any transport (a 416 for `sips:`). */
  protocol: '' | 'udp' | 'tcp' | 'unknown';
  address: string;
  port: number | string;
}

export function metaString(meta: Meta): string {
  return [meta.source, meta.bytes, meta.protocol, meta.address, meta.port, stackTime()].join('|');
}

export type ReplyStatus = 'OK' | 'NO' | 'NOK';

/** `<id>|response|<rid>|<status>[|<extra>]` */
export function replyPayload(rid: string, status: ReplyStatus, extra?: string): string {
  return `${newUuid()}|response|${rid}|${status}${extra === undefined ? '' : `|${extra}`}`;
}

/** The extra part of an OK reply to a request the app asked the server to send. */
export function requestSentExtra(meta: Meta, txnId: string, wireText: string): string {
  return `${metaString(meta)}|${txnId}|Msg sent:|${CRLF}${wireText}`;
}

/** The extra part of an OK reply to a response the app asked the server to send. */
export function responseSentExtra(
  meta: Meta,
  txnId: string,
  dialogId: string,
  wireText: string,
): string {
  return `${metaString(meta)}|${txnId}|${dialogId}||Msg sent:|${CRLF}${wireText}`;
}

export interface LocalHostPort {
  address: string;
  port: number;
}

/**
 * `<id>|sip|<meta>|<txnId>|<dialogId>|[<localAddr>|<localPort>|]` + CRLF + SIP. The local
 * address is only present on a new request from outside any dialog.
 */
export function sipPayload(
  meta: Meta,
  txnId: string,
  dialogId: string,
  text: string,
  local?: LocalHostPort,
): string {
  const receivedOn = local ? `${local.address}|${local.port}|` : '';
  return `${newUuid()}|sip|${metaString(meta)}|${txnId}|${dialogId}|${receivedOn}${CRLF}${text}`;
}
