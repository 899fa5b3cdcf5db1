/**
 * The Redis users of a calltrack deployment, as an ACL file (`redis-server --aclfile`): each
 * component gets the commands it runs on the keys it owns and nothing else, so the anonymised
 * call stream and the traffic stream (caller numbers, for billing) stay apart inside one Redis.
 *
 * Redis's ACL file takes no comments, so the why of every rule lives here. Each user is
 * `reset` first (no password, no keys, no commands), then given a password hash and:
 * - root commands without keys: `+ping` (`calltrack doctor`) and `+info` (ioredis' ready check
 *   at every connect; without it ioredis warns and skips the check; with Sentinel it also tells
 *   ioredis the node is a master); `+cluster|slots` and `+cluster|info`, which a Redis Cluster
 *   client asks at connect for the slot map and its ready check (topology only, no data);
 * - one selector `(…)` per job: its key patterns with the commands that job runs on them. A
 *   command is allowed when one selector allows it with every key it names, so `+del` for the
 *   dialplan's keys is no DEL of a stream, and `+set` for the analytics' keys no SET over one.
 * Key permissions: `~` read and write, `%R~` read only, `%W~` write only (XADD and XTRIM need
 * only W, XRANGE needs R). EVAL/EVALSHA count every key in KEYS as read and written, so a script
 * naming a write-only stream needs a selector with the stream in `~`; the commands the script
 * runs are checked one by one against the user's rules, so the script still cannot read it.
 * ioredis 5 also sends CLIENT SETINFO at connect: left out on purpose (Redis 7.0 does not know
 * it and refuses the file; ioredis ignores the refusal).
 */
import { createHash } from 'node:crypto';
import { dialplanKeys, KEY_PREFIX } from '../dialplan/distribution/keys.js';
import { ANALYTICS_PREFIX, LAST_CALL_KEY } from '../records/analytics-keys.js';
import {
  beatsKey,
  DEFAULT_RECORD_STREAM,
  DEFAULT_TRAFFIC_STREAM,
  journalKey,
  marksKey,
  reapedKey,
} from '../records/record-keys.js';

export const ACL_USERS = ['gateway', 'admin-api', 'analytics', 'billing', 'admin'] as const;
export type AclUser = (typeof ACL_USERS)[number];

/** Where `calltrack redis-acl` takes each user's password from. */
export const PASSWORD_VARS: Readonly<Record<AclUser, string>> = {
  gateway: 'REDIS_PASSWORD_GATEWAY',
  'admin-api': 'REDIS_PASSWORD_ADMIN_API',
  analytics: 'REDIS_PASSWORD_ANALYTICS',
  billing: 'REDIS_PASSWORD_BILLING',
  admin: 'REDIS_PASSWORD_ADMIN',
};

/** The configurable stream names (RECORD_STREAM, TRAFFIC_STREAM, AUDIT_STREAM). */
export type AclStreams = {
  readonly calls: string;
  readonly traffic: string;
  readonly audit: string;
};

export const DEFAULT_STREAMS: AclStreams = {
  calls: DEFAULT_RECORD_STREAM,
  traffic: DEFAULT_TRAFFIC_STREAM,
  audit: 'calltrack:audit',
};

const CONNECT = '+ping +info +cluster|slots +cluster|info';

function selectors(s: AclStreams): Record<Exclude<AclUser, 'admin'>, string[]> {
  const dialplan = dialplanKeys();
  const marks = marksKey(s.calls);
  const journal = `~${journalKey(s.calls, '*')} ~${beatsKey(s.calls)} ~${reapedKey(s.calls, '*')}`;
  return {
    gateway: [
      // the record writer appends and trims its retention; the append script deletes a call's
      // entry again when its traffic entry fails (XDEL); it never reads them back
      `%W~${s.calls} +xadd +xtrim +xdel`,
      // the writer's per-node sequence marks (exactly once across retries and spool replays)
      `~${marks} +hget +hset`,
      // traffic records: appended and trimmed, never read back (billing reads them)
      `%W~${s.traffic} +xadd +xtrim`,
      // the call journal: entries of calls in progress (HSET, removed by the append; a reaper
      // reads a lost node's with HGETALL), heartbeats (HGETALL, TIME) and tombstones (expiring)
      `${journal} +hget +hset +hdel +hgetall +hlen +pexpire +time`,
      // the append, heartbeat and reap scripts (call stream, marks, journal keys, traffic
      // stream in KEYS): EVAL only, see above
      `~${s.calls} ~${marks} ${journal} ~${s.traffic} +evalsha +eval`,
      // dialplan distribution: the publisher's blobs, manifests, pointer, history and script,
      // the followers' reads and the notification channel
      `~${KEY_PREFIX}:* &${dialplan.channel} +get +mget +set +exists +del +lrange +lindex +lrem +lpush +ltrim +evalsha +eval +publish +subscribe`,
    ],
    'admin-api': [
      // the admin API (in the gateway's process, on its own connection): history downloads read
      // the anonymised call stream
      `%R~${s.calls} +xrange +xrevrange`,
      // its audit trail: written on every change and every traffic read, read by GET /v1/audit
      `~${s.audit} +xadd +xrange +xrevrange`,
      // reports and the reclaim's last calls: anonymous counts, read only
      `%R~${ANALYTICS_PREFIX}calls:* %R~${LAST_CALL_KEY} +hgetall +hscan`,
    ],
    analytics: [
      // the consumer group: XREADGROUP, XACK, XAUTOCLAIM change the group's state in the stream
      // key, so Redis wants it writable; these commands are all it may run on it (no XADD, DEL,
      // XTRIM). XINFO CONSUMERS: the health check. XRANGE/XREVRANGE: `calltrack export`.
      `~${s.calls} +xgroup|create +xreadgroup +xack +xautoclaim +xinfo|consumers +xrange +xrevrange`,
      // its own counts, last calls and id-once marks, written by its script; `calltrack report`
      // and `analytics last-calls` read them
      `~${ANALYTICS_PREFIX}* +set +hincrby +hget +hset +hgetall +hscan +evalsha +eval`,
    ],
    billing: [
      // traffic records: read only (`calltrack traffic export`, the admin API's billing routes)
      `%R~${s.traffic} +xrange +xrevrange`,
      // every read of traffic data is audited; the trail itself is the admins' to read
      `%W~${s.audit} +xadd`,
    ],
  };
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * The ACL file: `default` off (no anonymous access, and nothing allowed should it be turned
 * on), then one line per user. `admin` is the operators' own (redis-cli, backups, ACL LOAD,
 * a lawful request's manual export): everything.
 */
export function renderAcl(
  passwords: Readonly<Record<AclUser, string>>,
  streams = DEFAULT_STREAMS,
): string {
  const sel = selectors(streams);
  const line = (user: AclUser, rules: string) =>
    `user ${user} reset on #${sha256Hex(passwords[user])} ${rules}`;
  return [
    'user default reset off',
    line(
      'gateway',
      // WAIT (RECORD_MIN_REPLICAS): a batch counts once the replicas have it; keyless
      `${CONNECT} +wait ${sel.gateway.map((s) => `(${s})`).join(' ')}`,
    ),
    line('admin-api', `${CONNECT} ${sel['admin-api'].map((s) => `(${s})`).join(' ')}`),
    line('analytics', `${CONNECT} ${sel.analytics.map((s) => `(${s})`).join(' ')}`),
    line('billing', `${CONNECT} ${sel.billing.map((s) => `(${s})`).join(' ')}`),
    line('admin', '~* &* +@all'),
    '',
  ].join('\n');
}
