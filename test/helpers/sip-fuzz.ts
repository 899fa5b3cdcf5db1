/**
 * A deterministic fuzz corpus of hostile SIP datagrams: mutations of one valid INVITE (byte flips,
 * truncations, duplicated and removed line ends, Content-Length lies), huge and numerous headers,
 * bad SDP, invalid UTF-8, binary garbage and a datagram over the Ethernet MTU. The same seed gives
 * the same bytes, so a failure names a case that can be replayed.
 */

export interface FuzzCase {
  name: string;
  data: Buffer;
  /**
   * What sofia-sip does with it where the outcome follows from its code (nta.c agent_recv_request,
   * agent_recv_garbage): `dropped` for what has no request line, `answered` for a well-formed
   * request. `either` where it depends on how sofia's header parsers read the damage.
   */
  expect: 'answered' | 'dropped' | 'either';
}

/** mulberry32: a small seeded PRNG (no Math.random in a test corpus). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SDP = [
  'v=0',
  'o=fuzz 1 1 IN IP4 127.0.0.1',
  's=-',
  'c=IN IP4 127.0.0.1',
  't=0 0',
  'm=audio 40000 RTP/AVP 0 8',
  'a=rtpmap:0 PCMU/8000',
  '',
].join('\r\n');

/** A valid INVITE from `host:port` to `called`; `id` makes Call-ID, tag and branch unique. */
export function baseInvite(
  id: string,
  called: string,
  from: { address: string; port: number },
  opts: {
    extraHeaders?: string[];
    body?: string;
    contentLength?: string;
    contentType?: string;
  } = {},
): string {
  const body = opts.body ?? SDP;
  const hostport = `${from.address}:${from.port}`;
  return [
    `INVITE sip:${called}@127.0.0.1 SIP/2.0`,
    `Via: SIP/2.0/UDP ${hostport};branch=z9hG4bK-${id};rport`,
    'Max-Forwards: 70',
    `From: "Fuzz" <sip:+4917699887766@${hostport}>;tag=${id}`,
    `To: <sip:${called}@127.0.0.1>`,
    `Call-ID: ${id}@fuzz`,
    'CSeq: 1 INVITE',
    `Contact: <sip:fuzz@${hostport}>`,
    ...(opts.extraHeaders ?? []),
    `Content-Type: ${opts.contentType ?? 'application/sdp'}`,
    `Content-Length: ${opts.contentLength ?? Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n');
}

/** Overlong, truncated and stray bytes that no UTF-8 decoder accepts. */
const BAD_UTF8 = Buffer.from([0x22, 0xc3, 0x28, 0xc0, 0xaf, 0xff, 0xfe, 0xed, 0xa0, 0x80, 0x22]);

/** `text` with its first `marker` replaced by raw bytes. */
function swap(text: string, marker: string, bytes: Buffer): Buffer {
  const at = text.indexOf(marker);
  return Buffer.concat([
    Buffer.from(text.slice(0, at)),
    bytes,
    Buffer.from(text.slice(at + marker.length)),
  ]);
}

export function fuzzCorpus(
  seed: number,
  tag: string,
  called: string,
  from: { address: string; port: number },
): FuzzCase[] {
  const rand = prng(seed);
  const int = (n: number) => Math.floor(rand() * n);
  const cases: FuzzCase[] = [];
  let n = 0;
  const add = (name: string, data: Buffer | string, expect: FuzzCase['expect']) =>
    cases.push({ name, data: typeof data === 'string' ? Buffer.from(data) : data, expect });
  const invite = (opts?: Parameters<typeof baseInvite>[3]) =>
    baseInvite(`${tag}-${n++}`, called, from, opts);

  add('the unmutated INVITE', invite(), 'answered');
  for (let i = 0; i < 12; i++) {
    const data = Buffer.from(invite());
    for (let k = 1 + int(4); k > 0; k--) data[int(data.length)] = int(256);
    add(`byte flips #${i}`, data, 'either');
  }
  for (let i = 0; i < 8; i++) {
    const data = Buffer.from(invite());
    add(`truncated #${i}`, data.subarray(0, 1 + int(data.length - 1)), 'either');
  }
  for (let i = 0; i < 4; i++) {
    const lines = invite().split('\r\n');
    const at = 1 + int(8);
    lines.splice(at, 0, '');
    add(`blank line after header ${at} #${i}`, lines.join('\r\n'), 'either');
    add(
      `line end removed after line ${at} #${i}`,
      invite().replace(/\r\n/g, (m, offset, s) =>
        s.slice(0, offset).split('\r\n').length === at ? '' : m,
      ),
      'either',
    );
  }
  add('bare LF line ends', invite().replace(/\r\n/g, '\n'), 'either');
  // a datagram shorter than its Content-Length is MSG_FLG_TRUNC: 400 (sofia msg_parser.c)
  add('Content-Length larger than the body', invite({ contentLength: '500' }), 'answered');
  add('Content-Length smaller than the body', invite({ contentLength: '20' }), 'either');
  add('Content-Length negative', invite({ contentLength: '-1' }), 'either');
  add('Content-Length not a number', invite({ contentLength: 'twelve' }), 'either');
  add('Content-Length 2^64', invite({ contentLength: '18446744073709551616' }), 'either');
  add(
    'a 63 kB header value',
    invite({ extraHeaders: [`X-Huge: ${'h'.repeat(63 * 1024)}`] }),
    'either',
  );
  add(
    '1000 headers',
    invite({ extraHeaders: Array.from({ length: 1000 }, (_, i) => `X-H${i}: ${i}`) }),
    'answered',
  );
  add(
    '1500-byte datagram (over the MTU)',
    invite({ extraHeaders: [`X-Pad: ${'p'.repeat(1500)}`] }),
    'answered',
  );
  add(
    'a 63 kB Via',
    invite({ extraHeaders: [`Via: SIP/2.0/UDP ${'v'.repeat(63 * 1024)}.example.com`] }),
    'either',
  );
  // drachtio-server re-encodes the top Via it stamped into an 8 kB buffer (EncodeStackMessage)
  add('a 9 kB top Via', invite().replace(';rport', `;rport;x=${'v'.repeat(9 * 1024)}`), 'either');
  add('a 4 kB display name', invite().replace('"Fuzz"', `"${'n'.repeat(4096)}"`), 'either');
  add('invalid UTF-8 in the display name', swap(invite(), '"Fuzz"', BAD_UTF8), 'either');
  add('invalid UTF-8 in the Call-ID', swap(invite(), '@fuzz', BAD_UTF8), 'either');
  add('NUL bytes in the To URI', invite().replace(/^To: <sip:/m, 'To: <sip:\0\0'), 'either');
  for (const [name, body] of [
    ['SDP that is not SDP', 'this is not a session description\r\n'],
    ['SDP without an m-line', 'v=0\r\no=x 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n'],
    ['SDP with a port of 99999999', SDP.replace('40000', '99999999')],
    ['SDP with 2000 m-lines', SDP + 'm=audio 1 RTP/AVP 0\r\n'.repeat(2000)],
    ['SDP with c=IN IP6 garbage', SDP.replace('IN IP4 127.0.0.1', 'IN IP6 ::zz::')],
    ['SDP of binary bytes', String.fromCharCode(...Array.from({ length: 300 }, () => int(256)))],
  ] as const)
    add(name, invite({ body }), 'either');
  for (let i = 0; i < 8; i++) {
    const size = [1, 13, 200, 1400, 9000, 30000, 65000, 3][i] ?? 1;
    // never starts with a letter, so sofia cannot read a request or status line in it
    const data = Buffer.from(Array.from({ length: size }, () => 128 + int(128)));
    add(`binary garbage of ${size} bytes`, data, 'dropped');
  }
  add('only a request line', 'INVITE sip:x@127.0.0.1 SIP/2.0\r\n\r\n', 'dropped');
  add('HTTP instead of SIP', 'GET / HTTP/1.1\r\nHost: x\r\n\r\n', 'dropped');
  return cases;
}

/**
 * INVITEs to a tracking number whose Require or body must be refused, each with the status it
 * must get: hostile forms of the gateway's two checks (edge/extensions.ts, edge/sdp-body.ts: 420,
 * 415), and values sofia cannot parse, which drachtio-server answers itself (400).
 */
export function refusedCorpus(
  tag: string,
  called: string,
  from: { address: string; port: number },
): { name: string; data: Buffer; status: 400 | 415 | 420 }[] {
  let n = 0;
  const invite = (opts: Parameters<typeof baseInvite>[3]) =>
    Buffer.from(baseInvite(`${tag}-${n++}`, called, from, opts));
  const multipart = (boundary: string) => `multipart/mixed;boundary="${boundary}"`;
  const sdpPart = (boundary: string) =>
    `--${boundary}\r\nContent-Type: application/sdp\r\n\r\n${SDP}`;
  return [
    {
      name: 'Require with 1000 tags',
      data: invite({
        extraHeaders: [`Require: ${Array.from({ length: 1000 }, (_, i) => `x${i}`).join(', ')}`],
      }),
      status: 420,
    },
    {
      name: 'Require with a 1 kB tag',
      data: invite({ extraHeaders: [`Require: timer, ${'t'.repeat(1024)}`] }),
      status: 420,
    },
    // Require and Content-Type are headers sofia parses; what it cannot parse it answers itself
    {
      name: 'Require with a quoted string',
      data: invite({ extraHeaders: ['Require: "timer"'] }),
      status: 400,
    },
    {
      name: 'a Content-Type without a subtype',
      data: invite({ contentType: 'sdp' }),
      status: 400,
    },
    {
      name: 'Require of invalid UTF-8',
      data: swap(
        baseInvite(`${tag}-${n++}`, called, from, { extraHeaders: ['Require: @@'] }),
        '@@',
        BAD_UTF8,
      ),
      status: 400,
    },
    {
      name: 'a multipart body never closed',
      data: invite({ contentType: multipart('b'), body: sdpPart('b') }),
      status: 415,
    },
    {
      name: 'a multipart body of 5000 empty parts',
      data: invite({ contentType: multipart('b'), body: `${'--b\r\n\r\n'.repeat(5000)}--b--\r\n` }),
      status: 415,
    },
    {
      name: 'a 4 kB boundary and a required part',
      data: invite({
        contentType: multipart('b'.repeat(4096)),
        body: `${sdpPart('b'.repeat(4096))}--${'b'.repeat(4096)}\r\nContent-Type: application/isup\r\n\r\n\x01\r\n--${'b'.repeat(4096)}--\r\n`,
      }),
      status: 415,
    },
    {
      name: 'a multipart part inside a multipart part',
      data: invite({
        contentType: multipart('outer'),
        body: `--outer\r\nContent-Type: multipart/mixed;boundary=inner\r\n\r\n${sdpPart('inner')}--inner--\r\n--outer--\r\n`,
      }),
      status: 415,
    },
    {
      name: 'a multipart Content-Type without a boundary',
      data: invite({ contentType: 'multipart/mixed', body: sdpPart('b') }),
      status: 415,
    },
    {
      name: 'a bare binary ISUP body',
      data: invite({ contentType: 'application/isup', body: '\x01\x02\x49\x7f' }),
      status: 415,
    },
  ];
}
