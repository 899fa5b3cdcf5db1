// Raw SIP peers over UDP, for what sipp cannot provoke precisely: answers with chosen headers,
// retransmissions and in-dialog requests on cue, and the messages they build.
import { createSocket, type Socket } from 'node:dgram';
import { connect } from 'node:net';
import type { Test } from 'tap';
import { SDP } from './srf-app.js';
import { waitFor } from './wait.js';

/**
 * A raw UDP SIP peer, for what sipp cannot provoke precisely (retransmissions on cue, requests
 * inside a dialog at a chosen moment). `\n` in what it sends becomes CRLF. Closed with the test.
 */
export class UdpPeer {
  readonly received: string[] = [];
  private closed = false;

  private constructor(readonly socket: Socket) {
    socket.on('message', (data) => this.received.push(data.toString('utf8')));
  }

  static async open(t: Test): Promise<UdpPeer> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
    const peer = new UdpPeer(socket);
    t.teardown(() => peer.close());
    return peer;
  }

  /** Closes the socket (a peer that went away: its port is closed from now on); once only. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.close();
  }

  get port(): number {
    return this.socket.address().port;
  }

  send(text: string, port: number): void {
    this.socket.send(Buffer.from(text.replace(/\r?\n/g, '\r\n'), 'utf8'), port, '127.0.0.1');
  }

  firstLines(): string[] {
    return this.received.map((m) => m.split('\r\n')[0] ?? '');
  }

  /** The first message received that `test` accepts, waiting up to `ms`. */
  next(test: (text: string) => boolean, what: string, ms = 3000): Promise<string> {
    return waitFor(() => this.received.find(test), ms, what);
  }
}

/**
 * A UdpPeer that answers each request it receives through `answer`, to where it came from
 * (responses it receives are only kept). For answers sipp cannot give: chosen headers, on cue.
 */
export async function answeringPeer(
  t: Test,
  answer: (request: string, reply: (text: string) => void, peer: UdpPeer) => void,
): Promise<UdpPeer> {
  const peer = await UdpPeer.open(t);
  peer.socket.on('message', (data, from) => {
    const text = data.toString('utf8');
    if (text.startsWith('SIP/2.0')) return;
    answer(text, (out) => peer.socket.send(Buffer.from(out), from.port, from.address), peer);
  });
  return peer;
}

/** A response to `request` as a UAS builds it: Via, From, To (tagged), Call-ID, CSeq copied. */
export function peerResponse(
  request: string,
  status: string,
  extra: string[] = [],
  body = '',
  toTag = 'peer1',
): string {
  const copy = (name: string) => request.match(new RegExp(`^${name}: .*$`, 'mi'))?.[0] ?? '';
  const to = copy('To');
  const lines = [
    `SIP/2.0 ${status}`,
    copy('Via'),
    copy('From'),
    /;\s*tag=/.test(to) ? to : `${to};tag=${toTag}`,
    copy('Call-ID'),
    copy('CSeq'),
  ];
  return [...lines, ...extra, `Content-Length: ${Buffer.byteLength(body)}`, '', body].join('\r\n');
}

/** A request from a UdpPeer inside the dialog its INVITE created (`ok` is the 200 it got). */
export function inDialog(method: string, peer: UdpPeer, ok: string, cseq: number, branch: string) {
  const header = (name: string) => ok.match(new RegExp(`^${name}: .*$`, 'mi'))?.[0] ?? '';
  return [
    `${method} sip:+4930100@127.0.0.1 SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${peer.port};branch=${branch}`,
    header('From'),
    header('To'),
    header('Call-ID'),
    `CSeq: ${cseq} ${method}`,
    `Contact: <sip:+4930111222333@127.0.0.1:${peer.port}>`,
    ...(method === 'REFER' ? ['Refer-To: <sip:+4930999@127.0.0.1>'] : []),
    'Content-Length: 0',
    '',
    '',
  ].join('\n');
}

/** An INVITE with SDP from a UdpPeer to the stand-in's SIP `port`, opening dialog `callId`. */
export function peerInvite(
  peer: UdpPeer,
  port: number,
  d: { callId: string; tag: string; branch: string },
  extra: string[] = [],
): string {
  return [
    `INVITE sip:+4930100@127.0.0.1:${port} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${peer.port};branch=${d.branch}`,
    `From: <sip:+4930111222333@127.0.0.1:${peer.port}>;tag=${d.tag}`,
    `To: <sip:+4930100@127.0.0.1:${port}>`,
    `Call-ID: ${d.callId}`,
    'CSeq: 1 INVITE',
    `Contact: <sip:+4930111222333@127.0.0.1:${peer.port}>`,
    ...extra,
    'Content-Type: application/sdp',
    `Content-Length: ${Buffer.byteLength(SDP)}`,
    '',
    SDP,
  ].join('\n');
}

/** A raw TCP caller: what it received, and whether the server ended the connection. */
export async function tcpCaller(t: Test, port: number) {
  const socket = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
  await new Promise((r) => socket.once('connect', r));
  t.teardown(() => socket.destroy());
  const state = { got: '', ended: false };
  socket.on('data', (c) => {
    state.got += c.toString('latin1');
  });
  socket.on('end', () => {
    state.ended = true;
  });
  socket.on('error', () => undefined);
  const statusLines = () => state.got.match(/^SIP\/2\.0 \d{3} [^\r]*/gm) ?? [];
  return { socket, state, statusLines, port: socket.localPort ?? 0 };
}

/**
 * An INVITE over TCP from `caller` to `called` (user parts); `contentLength: null` leaves the
 * header out.
 */
export function tcpInvite(o: {
  port: number;
  viaPort: number;
  callId: string;
  called?: string;
  caller?: string;
  body?: string;
  contentLength?: number | null;
  extra?: string[];
}): string {
  const body = o.body ?? SDP;
  const length =
    o.contentLength === null
      ? []
      : [`Content-Length: ${o.contentLength ?? Buffer.byteLength(body)}`];
  const { called = '+4930100', caller = '+4930111222333' } = o;
  return [
    `INVITE sip:${called}@127.0.0.1:${o.port};transport=tcp SIP/2.0`,
    `Via: SIP/2.0/TCP 127.0.0.1:${o.viaPort};branch=z9hG4bK-${o.callId}`,
    `From: <sip:${caller}@127.0.0.1:${o.viaPort}>;tag=r-${o.callId}`,
    `To: <sip:${called}@127.0.0.1:${o.port}>`,
    `Call-ID: ${o.callId}`,
    'CSeq: 1 INVITE',
    `Contact: <sip:${caller}@127.0.0.1:${o.viaPort};transport=tcp>`,
    'Max-Forwards: 70',
    ...(o.extra ?? []),
    'Content-Type: application/sdp',
    ...length,
    '',
    body,
  ].join('\r\n');
}
