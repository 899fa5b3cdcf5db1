/** A drachtio dialog as the call path sees it: an `ended` promise and a hangup that never throws. */
import type { ConnectedLeg } from '../call/ports.js';
import type { SrfDialog } from './srf-types.js';

export function connectedLeg(dialog: SrfDialog): ConnectedLeg {
  let hungUpByUs = false;
  const ended = new Promise<void>((resolve) => {
    dialog.once('destroy', () => {
      // destroy() emits nothing; 'destroy' means the far end sent BYE
      if (!hungUpByUs) resolve();
    });
  });
  return {
    ended,
    async hangup() {
      if (hungUpByUs || !dialog.connected) return;
      hungUpByUs = true;
      // a BYE that fails (the far end is gone) leaves nothing for us to do
      await dialog.destroy().catch(() => undefined);
    },
  };
}
