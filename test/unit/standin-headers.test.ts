// What the server does with app-supplied headers, how it orders and names headers it writes, and
// the name-addr handling behind `@localhost` replacement and dialog building.
import t from 'tap';
import { capitalizeAfterDash, filterAppHeaders, parseAppSip } from '../standin/app-headers.js';
import {
  parseNameAddr,
  parseVia,
  replaceHostPort,
  tagOf,
  uriEndpoint,
} from '../standin/sip-address.js';
import { buildMessage } from '../standin/sip-serialize.js';

const LOCAL = { host: '127.0.0.1', port: 5090 };

t.test('app headers: dropped, renamed, localhost replaced', async (t) => {
  const sip = parseAppSip(
    [
      'INVITE sip:d@127.0.0.1:6000 SIP/2.0',
      'Via: SIP/2.0/UDP 1.2.3.4',
      'route: <sip:1.2.3.4;lr>',
      'Record-Route: <sip:1.2.3.4;lr>',
      'RSeq: 1',
      'Content-Length: 999',
      'from: "Ann" <sip:+4930111@localhost>;foo=1',
      'contact: sip:+4930111@localhost',
      'to: <sip:+4930100@localhost>',
      'p-asserted-identity: <sip:+4930111@localhost>',
      'user-agent: test',
      'x-lower: kept',
      'foo-bar-baz: v',
      'not a header',
      '',
      'body',
    ].join('\r\n'),
  );
  t.equal(sip.startLine, 'INVITE sip:d@127.0.0.1:6000 SIP/2.0');
  t.equal(sip.body, 'body');
  t.same(filterAppHeaders(sip.headers, LOCAL), [
    { name: 'From', value: '"Ann" <sip:+4930111@127.0.0.1:5090>;foo=1' },
    { name: 'Contact', value: '<sip:+4930111@127.0.0.1:5090>' },
    { name: 'To', value: '<sip:+4930100@127.0.0.1:5090>' },
    { name: 'P-Asserted-Identity', value: '<sip:+4930111@127.0.0.1:5090>' },
    { name: 'User-Agent', value: 'test' },
    { name: 'x-lower', value: 'kept' },
    { name: 'Foo-Bar-Baz', value: 'v' },
  ]);
});

t.test('an address injected through a display name goes out as sofia re-encodes it', async (t) => {
  // real drachtio-server v0.9.10, createUAC with callingName 'Max" <sip:110@evil.example>;x="':
  // From: "Max" <sip:110@127.0.0.1:35160>;x="";tag=… and the same Contact (the ` <sip:+49…>` is lost)
  const injected = '"Max" <sip:110@evil.example>;x="" <sip:+4917612345678@localhost>';
  t.same(
    filterAppHeaders(
      [
        { name: 'From', value: injected },
        { name: 'Contact', value: injected },
      ],
      LOCAL,
    ),
    [
      { name: 'From', value: '"Max" <sip:110@127.0.0.1:5090>;x=""' },
      { name: 'Contact', value: '"Max" <sip:110@127.0.0.1:5090>;x=""' },
    ],
  );
  // escaped quotes stay inside the display name, as sofia parses a quoted-string
  t.same(parseNameAddr('"Max\\" <sip:110@evil>;x=\\"" <sip:+4930111@h>;tag=9'), {
    display: '"Max\\" <sip:110@evil>;x=\\""',
    uri: 'sip:+4930111@h',
    params: ';tag=9',
  });
  t.same(parseNameAddr('<sip:a@h> ;tag=1 ; lr'), {
    display: '',
    uri: 'sip:a@h',
    params: ';tag=1 ; lr',
  });
});

t.test(
  'custom headers (History-Info, Diversion, Max-Forwards) pass as the app wrote them',
  async (t) => {
    // real drachtio-server v0.9.10 sent the app's Max-Forwards: 4 and both headers unchanged
    const hi =
      '<sip:+493025550101@gw.example;user=phone>;index=1,<sip:d@h;cause=302>;index=1.1;mp=1';
    t.same(
      filterAppHeaders(
        [
          { name: 'Max-Forwards', value: '4' },
          { name: 'History-Info', value: hi },
          {
            name: 'Diversion',
            value: '<sip:+493025550101@gw.example>;reason=unconditional;counter=1',
          },
        ],
        LOCAL,
      ),
      [
        { name: 'Max-Forwards', value: '4' },
        { name: 'History-Info', value: hi },
        {
          name: 'Diversion',
          value: '<sip:+493025550101@gw.example>;reason=unconditional;counter=1',
        },
      ],
    );
  },
);

t.test('compact names from an app are custom headers to drachtio-server', async (t) => {
  t.same(filterAppHeaders([{ name: 'm', value: '<sip:x@h>' }], LOCAL), [
    { name: 'M', value: '<sip:x@h>' },
  ]);
  t.equal(capitalizeAfterDash('X-foo-bar'), 'X-foo-bar');
  t.equal(capitalizeAfterDash('diversion'), 'Diversion');
});

t.test(
  'serializer: sofia order, unknown headers after Content-Length, length in bytes',
  async (t) => {
    const text = buildMessage(
      'OPTIONS sip:a@b SIP/2.0',
      [
        { name: 'X-Thing', value: '1' },
        { name: 'P-Asserted-Identity', value: '<sip:p@h>' },
        { name: 'CSeq', value: '1 OPTIONS' },
        { name: 'Call-ID', value: 'c' },
        { name: 'To', value: '<sip:a@b>' },
        { name: 'From', value: '<sip:z@y>;tag=1' },
        { name: 'Max-Forwards', value: '70' },
        { name: 'Via', value: 'SIP/2.0/UDP h;branch=z9hG4bKx' },
        { name: 'Content-Type', value: 'text/plain' },
      ],
      'Grüße',
    );
    const names = text
      .split('\r\n\r\n')[0]
      ?.split('\r\n')
      .slice(1)
      .map((l) => l.split(':')[0]);
    // biome-ignore format: expected order
    t.same(names, [
    'Via', 'Max-Forwards', 'From', 'To', 'Call-ID', 'CSeq', 'Content-Type', 'Content-Length',
    'X-Thing', 'P-Asserted-Identity',
  ]);
    t.match(text, /^Content-Length: 7$/m);
  },
);

t.test('name-addr and URI helpers', async (t) => {
  t.same(parseNameAddr('"A, B" <sip:a@h;lr>;tag=x'), {
    display: '"A, B"',
    uri: 'sip:a@h;lr',
    params: ';tag=x',
  });
  t.same(parseNameAddr('sip:a@h;tag=x'), { display: '', uri: 'sip:a@h', params: ';tag=x' });
  t.equal(tagOf('<sip:a@h>;tag=abc;x=1'), 'abc');
  t.equal(replaceHostPort('sip:u@localhost', '10.0.0.1', 5080), '<sip:u@10.0.0.1:5080>');
  t.same(uriEndpoint('sip:u@127.0.0.1:5070;transport=udp'), { address: '127.0.0.1', port: 5070 });
  t.equal(uriEndpoint('<sip:localhost;lr>'), undefined, 'localhost too: sofia reads no hosts file');
  t.equal(uriEndpoint('sip:u@example.com'), undefined, 'no DNS in the stand-in');
  t.same(parseVia('SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK1;rport'), {
    transport: 'UDP',
    host: '127.0.0.1',
    port: 5070,
    params: ';branch=z9hG4bK1;rport',
  });
});

t.test('Authorization from the app goes out as sofia writes it: params after ", "', async (t) => {
  // what srf's digest-client sends, and what drachtio-server v0.9.10 put on the wire for it
  const srf =
    'Digest username="gw",realm="trunk.example",nonce="a,b",uri="sip:+4930123@127.0.0.1:36670",response="20dd",algorithm=MD5,qop=auth,nc=00000001,cnonce="9f78"';
  const wire =
    'Digest username="gw", realm="trunk.example", nonce="a,b", uri="sip:+4930123@127.0.0.1:36670", response="20dd", algorithm=MD5, qop=auth, nc=00000001, cnonce="9f78"';
  t.same(
    filterAppHeaders(
      [
        { name: 'Authorization', value: srf },
        { name: 'proxy-authorization', value: srf },
      ],
      LOCAL,
    ),
    [
      { name: 'Authorization', value: wire },
      { name: 'Proxy-Authorization', value: wire },
    ],
  );
});
