/**
 * Each FreeSWITCH in FREESWITCH (`host:port:password`): the event socket accepts the password,
 * and the SIP profile the media path uses is running (`sofia status profile <name>`, which
 * mod_sofia answers with the profile's details, or `Invalid Profile!` when it is not running).
 */

import { MRF_PROFILE } from '../../media/profile.js';
import { parseServer, type ServerSpec } from '../../media/server-spec.js';
import { EslMessages, eslCommand } from './esl.js';
import { converse, describeNet, type NetFailure } from './probe.js';
import { type CheckResult, failed, ok } from './result.js';

export type FreeswitchOutcome =
  | { kind: 'profile-running'; url: string }
  | { kind: 'profile-missing'; answer: string }
  | { kind: 'password-refused'; reply: string }
  | { kind: 'acl-refused' }
  | { kind: 'not-esl' }
  | NetFailure;

export function probeFreeswitch(s: ServerSpec, timeoutMs: number): Promise<FreeswitchOutcome> {
  return converse<FreeswitchOutcome>(s.host, s.port, timeoutMs, (socket, settle) => {
    const reader = new EslMessages();
    socket.on('data', (chunk: Buffer) => {
      for (const m of reader.push(chunk)) {
        const type = m.headers.get('content-type');
        const reply = m.headers.get('reply-text') ?? '';
        if (type === 'auth/request') socket.write(eslCommand(`auth ${s.secret}`));
        else if (type === 'text/rude-rejection') return settle({ kind: 'acl-refused' });
        else if (type === 'command/reply' && reply.startsWith('+OK'))
          socket.write(eslCommand(`api sofia status profile ${MRF_PROFILE}`));
        else if (type === 'command/reply') return settle({ kind: 'password-refused', reply });
        else if (type === 'api/response') {
          socket.write(eslCommand('exit'));
          return settle(profileOutcome(m.body));
        } else if (type !== 'text/disconnect-notice' && type !== undefined)
          return settle({ kind: 'not-esl' });
      }
    });
  });
}

/** mod_sofia's `sofia status profile` answer: the details (with its URL), or why not. */
export function profileOutcome(body: string): FreeswitchOutcome {
  const url = /^URL\s*\t(.*)$/m.exec(body)?.[1]?.trim();
  if (url) return { kind: 'profile-running', url };
  return { kind: 'profile-missing', answer: body.trim().split('\n')[0] ?? '' };
}

export function freeswitchRow(text: string, o: FreeswitchOutcome, n: number): CheckResult {
  const s = parseServer(text);
  const check = `freeswitch ${n}`;
  const where = `${s.host}:${s.port}`;
  switch (o.kind) {
    case 'profile-running':
      return ok(
        check,
        `${where}: event socket authenticated, profile ${MRF_PROFILE} running at ${o.url}`,
      );
    case 'profile-missing':
      return failed(
        check,
        `${where}: SIP profile ${MRF_PROFILE} is not running (${o.answer})`,
        `define and start a sofia profile named ${MRF_PROFILE} (fs_cli -x 'sofia profile ${MRF_PROFILE} start'; the drachtio/drachtio-freeswitch-mrf image has it)`,
      );
    case 'password-refused':
      return failed(
        check,
        `${where}: password refused (${o.reply})`,
        `set the password in FREESWITCH (${where}:<password>) to event_socket.conf.xml's "password"`,
      );
    case 'acl-refused':
      return failed(
        check,
        `${where}: refused by the event socket's ACL`,
        'allow this host in event_socket.conf.xml\'s "apply-inbound-acl"',
      );
    case 'not-esl':
      return failed(
        check,
        `${where}: answers, but not as a FreeSWITCH event socket`,
        'point FREESWITCH at mod_event_socket\'s port (event_socket.conf.xml "listen-port", default 8021)',
      );
    case 'refused':
      return failed(
        check,
        describeNet(o, where),
        `start FreeSWITCH with mod_event_socket (docker run --net=host drachtio/drachtio-freeswitch-mrf) or correct FREESWITCH (host:port:password, port 8021 by default)`,
      );
    default:
      return failed(
        check,
        describeNet(o, where),
        `check FREESWITCH and that a firewall lets this host reach ${where}`,
      );
  }
}
