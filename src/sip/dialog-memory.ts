/**
 * What a connected call keeps of its SIP messages. drachtio-srf parses every frame into a
 * SipMessage whose header values and body are V8 slices of the whole frame, and a Dialog keeps
 * the request and response it was made from (with their listeners, and the closures of
 * createUAS/createUAC those hold) for as long as it lasts. Of them it reads afterwards only the
 * request's method and connection and the response's dialog id (drachtio-srf 5 lib/dialog.js:
 * `id`, `dialogType`, `socket`). Kept whole, two dialogs held four frames, their parses and the
 * setup closures: about half of the heap an active call used (issue 16).
 */
import type { Socket } from 'node:net';
import type { SrfDialog } from './srf-types.js';

/**
 * A copy of `text` that shares no memory with the frame it was cut from: a slice of a SIP
 * message keeps the whole message alive. Slicing a concatenation makes V8 flatten it into a new
 * string first (the result is that copy, or a slice of it); half the CPU of a UTF-8 round trip
 * through a Buffer, and a call makes about thirty of these (issue 16).
 */
export function detached(text: string): string;
export function detached(text: string | undefined): string | undefined;
export function detached(text: string | undefined): string | undefined {
  return text === undefined ? undefined : ` ${text}`.slice(1);
}

type DialogInternals = {
  req: { method: string; socket?: Socket };
  res: { stackDialogId: string };
  srf: {
    findDialogById(id: string): unknown;
    addDialog(dialog: unknown): void;
    removeDialog(dialog: unknown): void;
  };
  sip: object;
  local: object;
  remote: object;
};

/**
 * Lets the dialog's setup messages go: srf's Dialog gets the three values it still reads in their
 * place, and every string it keeps (its id in srf's dialog map too) becomes a copy of its own. Nothing of the dialog's behaviour
 * changes (requests in the dialog, BYE, session refreshes, the orphan cleanup use these values).
 */
export function releaseSetupMessages(dialog: SrfDialog): void {
  const d = dialog as unknown as DialogInternals;
  if (!d.req || !d.res || !d.sip || !d.local || !d.remote) return;
  d.req = { method: d.req.method, socket: d.req.socket };
  // srf finds the dialog by its id in a Map: the key, too, must not be a slice of the frame
  const registered = d.srf.findDialogById(d.res.stackDialogId) === dialog;
  if (registered) d.srf.removeDialog(dialog);
  d.res = { stackDialogId: detached(d.res.stackDialogId) };
  if (registered) d.srf.addDialog(dialog);
  for (const part of [d.sip, d.local, d.remote] as Record<string, unknown>[])
    for (const key in part) {
      const value = part[key];
      if (typeof value === 'string' && Object.hasOwn(part, key)) part[key] = detached(value);
    }
}
