/**
 * A connected leg as the call path sees it, without SIP: `send` delivers a request from the far
 * end to the call path's handler, `got` lists what the call path sent to the far end, and
 * `answer` is how the far end answers it.
 */
import type {
  ConnectedLeg,
  DialogAnswer,
  DialogRequest,
  DialogResult,
} from '../../src/call/ports.js';

export type FakeLeg = ConnectedLeg & {
  send(r: DialogRequest): Promise<DialogAnswer>;
  got: DialogRequest[];
  answer: (r: DialogRequest) => Promise<DialogResult>;
};

export function fakeLeg(remoteSdp: string): FakeLeg {
  let handler: (r: DialogRequest) => Promise<DialogAnswer> = async () => ({ status: 200 });
  const fake: FakeLeg = {
    ended: new Promise(() => undefined),
    remoteSdp,
    hangup: async () => undefined,
    onRequest: (h) => {
      handler = h;
    },
    onRefer: () => undefined,
    alive: async () => true,
    got: [],
    answer: async () => ({ status: 200, body: 'answer' }),
    request: (r) => {
      fake.got.push(r);
      return fake.answer(r);
    },
    send: (r) => handler(r),
  };
  return fake;
}
