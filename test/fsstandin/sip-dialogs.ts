// FreeSWITCH's SIP side towards drachtio: INVITE → 100 + 200 (SDP, Contact), ACK, re-INVITE,
// BYE both ways (ours with a Q.850 Reason), 2xx retransmitted until ACKed, BYE until answered.
import { randomUUID } from 'node:crypto';
import { type Endpoint, parseNameAddr, uriEndpoint } from '../standin/sip-address.js';
import {
  callIdOf,
  cseqOf,
  headerValue,
  type SipMessage,
  type SipRequest,
} from '../standin/sip-message.js';
import { buildMessage } from '../standin/sip-serialize.js';
import { Channel } from './channel.js';
import { Q850, type Switch } from './core.js';
import { buildAnswer, buildOffer, isSrtp, type LocalMedia, parseSdp } from './sdp.js';
import { ALLOW, buildResponse, newBranch, newTag, type UdpSip, USER_AGENT } from './sip-wire.js';

interface Dialog {
  callId: string;
  localTag: string;
  channel: Channel;
  /** The INVITE's From (our To) and To (our From, tag added). */
  remoteParty: string;
  localParty: string;
  remoteTarget: string;
  remote: Endpoint;
  localSeq: number;
  /** 2xx awaiting its ACK, retransmitted T1, 2T1 … up to T2. */
  unacked?: { cseq: number; text: string; to: Endpoint; timer: NodeJS.Timeout; initial: boolean };
  lastInviteResponse?: { branch: string; text: string; to: Endpoint };
  esl: string | undefined;
}

export interface SipConfig {
  t1: number;
  t2: number;
  /** A hung SIP profile: new INVITEs get no answer at all. */
  silent?: boolean;
  /** Called when a channel is ready for its outbound event socket. */
  onChannelReady(channel: Channel, eslTarget: string | undefined): void;
}

export class SipDialogs {
  private readonly dialogs = new Map<string, Dialog>();
  private portSeq = 16384;

  constructor(
    private readonly sw: Switch,
    private readonly udp: UdpSip,
    private readonly config: SipConfig,
  ) {
    udp.onMessage((m, from) => this.onMessage(m, from));
    sw.sip = { sendBye: (channel, cause) => this.sendBye(channel, cause) };
  }

  private get contact(): string {
    return `<sip:drachtio@${this.udp.address.address}:${this.udp.address.port};transport=udp>`;
  }

  private onMessage(message: SipMessage, from: Endpoint): void {
    if (message.kind === 'response') return; // responses to our BYE: the retransmit loop checks
    const dialog = this.dialogs.get(callIdOf(message));
    switch (message.method) {
      case 'INVITE':
        if (!dialog) this.newInvite(message, from);
        else this.reInvite(dialog, message, from);
        return;
      case 'ACK':
        if (dialog) this.ack(dialog, message);
        return;
      case 'BYE':
        if (!dialog) {
          this.respond(message, from, 481);
          return;
        }
        this.respond(message, from, 200, dialog.localTag);
        this.forget(dialog);
        this.sw.hangup(dialog.channel, 'NORMAL_CLEARING', 'far-end');
        return;
      case 'CANCEL':
        this.respond(message, from, dialog ? 200 : 481, dialog?.localTag);
        return;
      case 'OPTIONS':
      case 'INFO':
      case 'UPDATE':
        this.respond(message, from, 200, dialog?.localTag, [{ name: 'Allow', value: ALLOW }]);
        return;
      default:
        this.respond(message, from, 405, dialog?.localTag, [{ name: 'Allow', value: ALLOW }]);
        return;
    }
  }

  private respond(
    req: SipRequest,
    to: Endpoint,
    status: number,
    toTag?: string,
    headers: { name: string; value: string }[] = [],
  ): void {
    this.udp.send(buildResponse(req, status, { ...(toTag ? { toTag } : {}), headers }), to);
  }

  private localMedia(): LocalMedia {
    this.portSeq = this.portSeq >= 32766 ? 16384 : this.portSeq + 2;
    const now = Math.floor(Date.now() / 1000);
    return { ip: this.udp.address.address, port: this.portSeq, sessionId: now, version: now + 1 };
  }

  private newInvite(req: SipRequest, from: Endpoint): void {
    if (this.config.silent) {
      this.sw.trace.add({ kind: 'note', text: `INVITE ${callIdOf(req)} ignored: SIP side hung` });
      return;
    }
    if (headerValue(req.headers, 'to')?.match(/;\s*tag=/i)) {
      this.respond(req, from, 481);
      return;
    }
    this.respond(req, from, 100);
    const offer = req.body ? parseSdp(req.body) : undefined;
    const media = this.localMedia();
    const localTag = newTag();
    const role = offer ? 'answered-offer' : 'made-offer';
    const localSdp = offer
      ? buildAnswer(offer, media)
      : buildOffer(media, this.sw.config.srtpOffer);
    if (localSdp === undefined) {
      this.respond(req, from, 488, localTag);
      return;
    }
    const channel = new Channel(randomUUID(), callIdOf(req), role, media);
    channel.localSdp = localSdp;
    if (offer) setRemote(channel, req.body, offer);
    this.initVars(channel, req, from, media);
    const contact = headerValue(req.headers, 'contact');
    const remoteTarget = contact ? parseNameAddr(contact).uri : req.uri;
    const dialog: Dialog = {
      callId: channel.callId,
      localTag,
      channel,
      remoteParty: headerValue(req.headers, 'from') ?? '',
      localParty: `${headerValue(req.headers, 'to') ?? ''};tag=${localTag}`,
      remoteTarget,
      remote: uriEndpoint(remoteTarget) ?? from,
      localSeq: Math.floor(Math.random() * 10000) + 1,
      esl: headerValue(req.headers, 'x-esl-outbound'),
    };
    this.dialogs.set(dialog.callId, dialog);
    this.sw.channels.set(channel.uuid, channel);
    this.sw.trace.add({ kind: 'channel', event: 'created', channel: channel.ref });
    this.answer(dialog, req, from, localSdp, true);
    if (role === 'answered-offer') this.ready(dialog);
  }

  private initVars(channel: Channel, req: SipRequest, from: Endpoint, media: LocalMedia): void {
    const v = channel.vars;
    const ua = headerValue(req.headers, 'user-agent') ?? '';
    v.set('direction', 'inbound');
    v.set('uuid', channel.uuid);
    v.set('session_id', String(this.sw.nextSequence()));
    v.set('sip_from_user', 'drachtio');
    v.set('channel_name', `sofia/drachtio_mrf/drachtio@${from.address}`);
    v.set('sip_call_id', channel.callId);
    v.set('sip_network_ip', from.address);
    v.set('sip_network_port', String(from.port));
    v.set('sip_received_ip', from.address);
    v.set('sip_received_port', String(from.port));
    v.set('sip_via_protocol', 'udp');
    v.set('sip_req_uri', req.uri.replace(/^sip:/, ''));
    v.set('sip_user_agent', ua);
    const esl = headerValue(req.headers, 'x-esl-outbound');
    if (esl) v.set('sip_h_X-esl-outbound', esl);
    v.set('sofia_profile_name', 'drachtio_mrf');
    v.set('local_media_ip', media.ip);
    v.set('local_media_port', String(media.port));
    v.set('rtp_local_sdp_str', channel.localSdp);
    v.set('dtmf_type', 'rfc2833');
    v.set('endpoint_disposition', 'ANSWER');
    v.set('rtp_use_codec_name', 'PCMU');
    v.set('rtp_use_codec_rate', '8000');
  }

  /** Sends a 2xx and retransmits it until the ACK arrives; no ACK in 64×T1 → BYE. */
  private answer(dialog: Dialog, req: SipRequest, from: Endpoint, sdp: string, initial: boolean) {
    const text = buildResponse(req, 200, {
      toTag: dialog.localTag,
      headers: [
        { name: 'Contact', value: this.contact },
        { name: 'Allow', value: ALLOW },
        { name: 'Supported', value: 'timer, path, replaces' },
        { name: 'Allow-Events', value: 'talk, hold, conference, refer' },
        { name: 'Content-Type', value: 'application/sdp' },
        { name: 'Content-Disposition', value: 'session' },
      ],
      body: sdp,
    });
    const branch = /branch=([^;\s,]+)/i.exec(headerValue(req.headers, 'via') ?? '')?.[1] ?? '';
    dialog.lastInviteResponse = { branch, text, to: from };
    if (dialog.unacked) clearTimeout(dialog.unacked.timer);
    const started = Date.now();
    let interval = this.config.t1;
    const resend = () => {
      if (Date.now() - started >= 64 * this.config.t1) {
        dialog.unacked = undefined;
        this.sw.trace.add({ kind: 'note', text: `no ACK for 200 on ${dialog.callId}` });
        this.sw.hangup(dialog.channel, 'NORMAL_CLEARING', 'stand-in');
        return;
      }
      this.udp.send(text, from);
      interval = Math.min(interval * 2, this.config.t2);
      if (dialog.unacked) dialog.unacked.timer = setTimeout(resend, interval);
    };
    this.udp.send(text, from);
    dialog.channel.answered = true;
    dialog.unacked = {
      cseq: cseqOf(req).seq,
      text,
      to: from,
      timer: setTimeout(resend, interval),
      initial,
    };
  }

  private ack(dialog: Dialog, req: SipRequest): void {
    const pending = dialog.unacked;
    if (!pending || pending.cseq !== cseqOf(req).seq) return;
    clearTimeout(pending.timer);
    dialog.unacked = undefined;
    const channel = dialog.channel;
    if (pending.initial && channel.role === 'made-offer') {
      const info = req.body ? parseSdp(req.body) : undefined;
      if (info) setRemote(channel, req.body, info);
      if (info && isSrtp(info)) {
        channel.srtp = true;
        channel.pitfalls.push('srtp-self-negotiated');
        this.sw.trace.add({
          kind: 'pitfall',
          channel: channel.ref,
          what: 'srtp-self-negotiated',
          detail:
            'the ACK answered FreeSWITCH’s SRTP+RTP offer with RTP/SAVP: SRTP is negotiated and stays on after a re-INVITE',
        });
      }
      this.ready(dialog);
    }
  }

  private ready(dialog: Dialog): void {
    this.sw.trace.add({ kind: 'channel', event: 'answered', channel: dialog.channel.ref });
    this.config.onChannelReady(dialog.channel, dialog.esl);
  }

  /** re-INVITE (fsmrf `modify`): 100, then 200 with a new answer (version bumped), ACK. */
  private reInvite(dialog: Dialog, req: SipRequest, from: Endpoint): void {
    const branch = /branch=([^;\s,]+)/i.exec(headerValue(req.headers, 'via') ?? '')?.[1] ?? '';
    if (dialog.lastInviteResponse?.branch === branch) {
      this.udp.send(dialog.lastInviteResponse.text, from);
      return;
    }
    this.respond(req, from, 100);
    const channel = dialog.channel;
    const offer = req.body ? parseSdp(req.body) : undefined;
    channel.media.version += 1;
    const sdp = offer ? buildAnswer(offer, channel.media) : channel.localSdp;
    if (sdp === undefined) {
      this.respond(req, from, 488, dialog.localTag);
      return;
    }
    if (offer) {
      setRemote(channel, req.body, offer);
      if (channel.srtp && !isSrtp(offer)) {
        channel.pitfalls.push('srtp-to-plain-peer');
        this.sw.trace.add({
          kind: 'pitfall',
          channel: channel.ref,
          what: 'srtp-to-plain-peer',
          detail: `re-INVITE offers plain RTP but the leg keeps sending SRTP to ${channel.remoteMedia?.ip}:${channel.remoteMedia?.port}: silence`,
        });
      }
    }
    channel.localSdp = sdp ?? channel.localSdp;
    channel.vars.set('rtp_local_sdp_str', channel.localSdp);
    this.answer(dialog, req, from, channel.localSdp, false);
  }

  private sendBye(channel: Channel, cause: string): void {
    const dialog = this.dialogs.get(channel.callId);
    if (!dialog) return;
    this.forget(dialog);
    dialog.localSeq += 1;
    const headers = [
      {
        name: 'Via',
        value: `SIP/2.0/UDP ${this.udp.address.address}:${this.udp.address.port};rport;branch=${newBranch()}`,
      },
      { name: 'Max-Forwards', value: '70' },
      { name: 'From', value: dialog.localParty },
      { name: 'To', value: dialog.remoteParty },
      { name: 'Call-ID', value: dialog.callId },
      { name: 'CSeq', value: `${dialog.localSeq} BYE` },
      { name: 'User-Agent', value: USER_AGENT },
      { name: 'Reason', value: `Q.850;cause=${Q850[cause] ?? 16};text="${cause}"` },
    ];
    const text = buildMessage(`BYE ${dialog.remoteTarget} SIP/2.0`, headers);
    this.udp.send(text, dialog.remote);
  }

  private forget(dialog: Dialog): void {
    if (dialog.unacked) clearTimeout(dialog.unacked.timer);
    dialog.unacked = undefined;
    this.dialogs.delete(dialog.callId);
  }

  close(): void {
    for (const dialog of this.dialogs.values()) this.forget(dialog);
  }
}

function setRemote(channel: Channel, sdp: string, info: ReturnType<typeof parseSdp>): void {
  channel.remoteSdp = sdp;
  channel.vars.set('switch_r_sdp', sdp);
  const audio = info?.audio.find((m) => m.port !== 0);
  if (info && audio) {
    channel.remoteMedia = { ip: info.address, port: audio.port };
    channel.vars.set('remote_media_ip', info.address);
    channel.vars.set('remote_media_port', String(audio.port));
  }
}
