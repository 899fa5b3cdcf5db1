/** srf's Dialog as the SIP layer reads it: an emitter with the fields a leg uses. */
import { EventEmitter } from 'node:events';
import type { SrfDialog } from '../../src/sip/srf-types.js';

export function fakeDialog(connected = true): SrfDialog {
  const d = new EventEmitter() as EventEmitter & Record<string, unknown>;
  Object.assign(d, {
    id: 'call-1;from-tag=a',
    connected,
    local: { sdp: 'v=0\r\no=gw 1 1 IN IP4 127.0.0.1\r\n', contact: '<sip:calltrack@127.0.0.1>' },
    remote: { sdp: 'v=0\r\no=caller 1 1 IN IP4 127.0.0.1\r\n' },
    srf: { removeDialog: () => undefined },
    destroy: async () => undefined,
  });
  return d as unknown as SrfDialog;
}
