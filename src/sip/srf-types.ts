/**
 * The part of drachtio-srf this gateway uses, typed as it behaves (its bundled .d.ts is loose).
 * Only `sip/` sees these types.
 */
import type { EventEmitter } from 'node:events';

export interface SrfMessage {
  readonly headers: Record<string, string>;
  readonly body?: string;
  readonly status?: number;
  get(name: string): string | undefined;
  has(name: string): boolean;
}

export interface SrfRequest extends SrfMessage {
  readonly method: string;
  readonly uri: string;
  readonly callId: string;
  readonly source_address: string;
  readonly source_port: number;
  on(event: 'cancel', listener: () => void): this;
  on(event: 'response', listener: (res: SrfMessage) => void): this;
  cancel(callback?: (err?: Error) => void): void;
}

export interface SrfResponse {
  readonly finalResponseSent: boolean;
  send(
    status: number,
    opts?: { headers?: Record<string, string>; body?: string },
    callback?: (err?: Error) => void,
  ): void;
}

export interface SrfDialog extends EventEmitter {
  readonly id: string;
  readonly remote: { sdp?: string };
  readonly connected: boolean;
  destroy(opts?: { headers?: Record<string, string> }): Promise<void>;
}

export type UacOptions = {
  localSdp?: string;
  callingNumber?: string;
  callingName?: string;
  headers?: Record<string, string>;
};

export type UacCallbacks = {
  cbRequest?: (err: Error | null, req: SrfRequest) => void;
  cbProvisional?: (res: SrfMessage) => void;
};

export interface Srf extends EventEmitter {
  connect(opts: {
    host: string;
    port: number;
    secret: string;
    reconnect?: { retryMaxDelay?: number };
  }): void;
  disconnect(): void;
  invite(handler: (req: SrfRequest, res: SrfResponse) => void): void;
  createUAC(uri: string, opts: UacOptions, callbacks?: UacCallbacks): Promise<SrfDialog>;
  createUAS(
    req: SrfRequest,
    res: SrfResponse,
    opts: { localSdp?: string; headers?: Record<string, string> },
  ): Promise<SrfDialog>;
}

/** drachtio-srf's SipError: a failed request with the final status it got. */
export function sipStatusOf(err: unknown): number | undefined {
  const status = (err as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}
