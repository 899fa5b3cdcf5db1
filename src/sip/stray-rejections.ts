/**
 * Rejections nobody awaits, from library code: drachtio-fsmrf's createEndpoint, when FreeSWITCH
 * answered the INVITE but its event socket never connected (it died in between), sends a BYE
 * after 4 s with `dialog.destroy()` and no catch. When drachtio-server no longer knows that
 * dialog, drachtio-srf rejects with code ENODIALOG, which it documents as a common, benign race;
 * unhandled, Node ends the process, and with it every call in progress and every record still in
 * memory. Such a rejection is logged and dropped. Anything else stays fatal, as Node makes it.
 */
import type { Logger } from '../observability/logger.js';

export function isDialogGone(reason: unknown): boolean {
  return reason instanceof Error && (reason as Error & { code?: unknown }).code === 'ENODIALOG';
}

/** For `process.on('unhandledRejection', …)`: rethrows (fatal) all but a dialog already gone. */
export function strayRejectionHandler(logger: Logger): (reason: unknown) => void {
  return (reason) => {
    if (!isDialogGone(reason)) throw reason;
    logger.warn({ err: reason }, 'request on a dialog drachtio-server no longer has: ignored');
  };
}
