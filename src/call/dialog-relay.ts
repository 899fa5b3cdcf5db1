/**
 * Requests inside a connected call, carried between the legs as a B2BUA must: a re-INVITE or
 * UPDATE with SDP from one side goes to the other, whose answer comes back unchanged (so hold's
 * `sendonly` meets the other side's `recvonly`); an offerless re-INVITE gets the other side's
 * offer and the ACK's answer goes back; INFO is relayed as it is. On the media-anchored path
 * FreeSWITCH is the other side of each leg: the leg's endpoint is pointed at the new SDP and its
 * answer goes back, and the media follows.
 *
 * Glare (RFC 3261 14.2, RFC 3311 5.2): an offer arriving on a leg where our own offer is still
 * out gets 491 (the peer retries after a random wait, as RFC 3261 says); a second offer while the
 * first from the same leg is still being answered gets 500 with Retry-After.
 */
import type { Logger } from '../observability/logger.js';
import { answeredByMedia } from './media-offer.js';
import type { MediaAnchor } from './media-port.js';
import type { ConnectedLeg, DialogAnswer, DialogRequest } from './ports.js';

export type Side = 'caller' | 'dealer';

const OTHER: Record<Side, Side> = { caller: 'dealer', dealer: 'caller' };

export class DialogRelay {
  readonly #legs: Record<Side, ConnectedLeg>;
  /** Our own offer on this leg awaits its answer. */
  readonly #offering: Record<Side, boolean> = { caller: false, dealer: false };
  /** An offer from this leg awaits our answer. */
  readonly #answering: Record<Side, boolean> = { caller: false, dealer: false };
  /** The SDP we last gave each leg (anchored: FreeSWITCH's), offered again on an offerless re-INVITE. */
  readonly #local: Record<Side, string | undefined>;

  constructor(
    legs: Record<Side, ConnectedLeg>,
    local: Record<Side, string | undefined>,
    private readonly media: MediaAnchor | undefined,
    private readonly logger: Logger,
  ) {
    this.#legs = { ...legs };
    this.#local = { ...local };
    for (const side of ['caller', 'dealer'] as const) this.#attach(side, legs[side]);
  }

  /** A transfer put another dealer on the call: requests now go to and come from it. */
  replace(side: Side, leg: ConnectedLeg, local: string | undefined): void {
    this.#legs[side] = leg;
    this.#local[side] = local;
    this.#offering[side] = false;
    this.#answering[side] = false;
    this.#attach(side, leg);
  }

  #attach(side: Side, leg: ConnectedLeg): void {
    leg.onRequest((request) => this.#received(side, leg, request));
  }

  async #received(from: Side, leg: ConnectedLeg, req: DialogRequest): Promise<DialogAnswer> {
    // a leg a transfer replaced may still send something before its BYE
    if (this.#legs[from] !== leg) return { status: 481 };
    if (req.method === 'INFO') return this.#info(from, req);
    if (this.#offering[from]) return { status: 491 };
    if (this.#answering[from]) return { status: 500 };
    this.#answering[from] = true;
    try {
      const answer = this.media ? await this.#toMedia(from, req) : await this.#toOther(from, req);
      if (answer.status < 300 && answer.body) this.#local[from] = answer.body;
      this.logger.info(
        { side: from, method: req.method, status: answer.status },
        'in-dialog offer',
      );
      return answer;
    } catch (err) {
      this.logger.warn({ err, side: from, method: req.method }, 'in-dialog offer failed');
      return { status: 500 };
    } finally {
      this.#answering[from] = false;
    }
  }

  async #toOther(from: Side, req: DialogRequest): Promise<DialogAnswer> {
    const to = OTHER[from];
    this.#offering[to] = true;
    try {
      const res = await this.#legs[to].request(req);
      if (res.status >= 300 || !res.ack) return res;
      const ack = res.ack;
      // offerless re-INVITE: the other side's offer goes back, the ACK's answer goes to it
      return {
        ...res,
        onAck: (answer) => {
          const sdp = answer ?? this.#legs[from].remoteSdp;
          if (sdp) void ack(sdp);
        },
      };
    } finally {
      this.#offering[to] = false;
    }
  }

  #toMedia(from: Side, req: DialogRequest): Promise<DialogAnswer> {
    const media = this.media as MediaAnchor;
    return answeredByMedia(req, this.#local[from], (sdp) =>
      from === 'caller' ? media.updateCaller(sdp) : media.updateDealer(sdp),
    );
  }

  async #info(from: Side, req: DialogRequest): Promise<DialogAnswer> {
    const res = await this.#legs[OTHER[from]].request(req);
    return {
      status: res.status,
      ...(res.body && { body: res.body }),
      ...(res.contentType && { contentType: res.contentType }),
    };
  }
}
