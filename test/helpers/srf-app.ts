// A minimal drachtio-srf app for tests, with local types for the parts of drachtio-srf's loose
// API the tests use. Nothing here knows about the stand-in: the app connects as to a real server.
import Srf from 'drachtio-srf';

export interface SrfMessage {
  method: string;
  uri: string;
  status: number;
  reason: string;
  body: string;
  source: string;
  /** Empty for a response drachtio-server's stack made itself (a timeout, a transport error). */
  source_address: string;
  stackTxnId: string;
  stackDialogId: string;
  get(name: string): string | undefined;
  has(name: string): boolean;
}

export interface SrfRequest extends SrfMessage {
  on(event: 'cancel', fn: (msg: SrfMessage) => void): this;
  on(event: 'response', fn: (res: SrfMessage) => void): this;
  /** An UPDATE in this INVITE's early dialog; without a listener srf answers 500 itself. */
  on(event: 'update', fn: (req: SrfRequest, res: SrfResponse) => void): this;
  cancel(callback?: (err: unknown, req: SrfRequest) => void): void;
  cancel(
    opts: { headers?: Record<string, string> },
    callback?: (err: unknown, req: SrfRequest) => void,
  ): void;
}

export interface SrfResponse {
  send(status: number, opts?: { headers?: Record<string, string>; body?: string }): void;
  send(
    status: number,
    opts: { headers?: Record<string, string>; body?: string },
    callback: (err: unknown, msg: SrfMessage) => void,
  ): void;
}

export interface SrfDialog {
  id: string;
  sip: { callId: string; localTag: string; remoteTag: string };
  on(event: 'destroy', fn: (req: SrfMessage, reason?: string) => void): this;
  /** A re-INVITE from the far end; without a listener srf answers 200 with the old local SDP. */
  on(event: 'modify', fn: (req: SrfRequest, res: SrfResponse) => void): this;
  destroy(): Promise<unknown>;
  /** Sends a re-INVITE with this SDP; resolves with the far end's SDP once it is ACKed. */
  modify(sdp: string): Promise<string>;
  /** Sends a request inside the dialog; resolves with its final response. */
  request(opts: { method: string; headers?: Record<string, string> }): Promise<SrfMessage>;
}

export type Handler = (req: SrfRequest, res: SrfResponse) => void;

/** The subset of drachtio-srf's Srf the tests call. */
export interface SrfApp {
  invite(handler: Handler): void;
  options(handler: Handler): void;
  on(event: 'connect', fn: (err: Error | null, hostport: string) => void): this;
  on(event: 'error', fn: (err: Error) => void): this;
  on(event: 'close', fn: () => void): this;
  createUAS(req: SrfRequest, res: SrfResponse, opts: object): Promise<SrfDialog>;
  /** Late offer (3pcc): resolves on the 200 with its SDP; `ack` sends the answer and the ACK. */
  createUAC(
    uri: string,
    opts: { noAck: true; headers?: Record<string, string> },
  ): Promise<{ sdp: string; ack(localSdp: string): Promise<SrfDialog> }>;
  createUAC(
    uri: string,
    opts: object,
    callbacks?: {
      cbRequest?: (err: unknown, req: SrfRequest) => void;
      cbProvisional?: (res: SrfMessage) => void;
    },
  ): Promise<SrfDialog>;
  createB2BUA(
    req: SrfRequest,
    res: SrfResponse,
    uri: string,
    opts: object,
    callbacks?: { cbRequest?: (err: unknown, req: SrfRequest) => void },
  ): Promise<{ uas: SrfDialog; uac: SrfDialog }>;
  request(uri: string, opts: object): Promise<SrfRequest>;
  /**
   * `sent` runs as the server's echo is read, before any later frame: a listener for the
   * response added there cannot miss it (after `await`, a response in the same read can be gone).
   */
  request(uri: string, opts: object, sent: (err: unknown, req: SrfRequest) => void): void;
  disconnect(): void;
}

export const SDP = [
  'v=0',
  'o=app 1 1 IN IP4 127.0.0.1',
  's=-',
  'c=IN IP4 127.0.0.1',
  't=0 0',
  'm=audio 40000 RTP/AVP 0',
  'a=rtpmap:0 PCMU/8000',
  '',
].join('\r\n');

export function newApp(): SrfApp {
  return new Srf() as unknown as SrfApp;
}

/** Connects to the server and resolves with the hostport it reported, or rejects. */
export function connectApp(
  app: SrfApp,
  admin: { address: string; port: number },
  secret: string,
): Promise<string> {
  return new Promise((resolve, reject) => {
    app.on('error', () => {});
    app.on('connect', (err, hostport) => (err ? reject(err) : resolve(hostport)));
    (app as unknown as { connect(opts: object): void }).connect({
      host: admin.address,
      port: admin.port,
      secret,
      // A test app never reconnects: a lost connection is a finding, not something to paper over.
      reconnect: { maxAttempts: 1 },
    });
  });
}

/**
 * Sends a raw `sip|<txnId>|<dialogId>` frame through the app's connection, as drachtio-srf does
 * for its own answers; how an app answers a transaction it did not receive (e.g. one inherited
 * from a connection that died). The server's reply is visible in its trace only.
 */
export function sendSipFrame(
  app: SrfApp,
  text: string,
  ids: { stackTxnId?: string; stackDialogId?: string },
): void {
  const agent = (app as unknown as { _app: { client: AgentSend } })._app.client;
  agent.sendMessage(text.replace(/\r?\n/g, '\r\n'), ids);
}

interface AgentSend {
  sendMessage(msg: string, opts: { stackTxnId?: string; stackDialogId?: string }): string;
}

/** Disconnects if still connected; drachtio-srf throws when the server already hung up. */
export function disconnectApp(app: SrfApp): void {
  try {
    app.disconnect();
  } catch {
    // already disconnected
  }
}
