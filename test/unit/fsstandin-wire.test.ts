// The FreeSWITCH stand-in's pure parts: ESL byte-stream reading, FreeSWITCH URL encoding, the
// `sofia status` table fsmrf parses, event-name parsing, SDP answers and offers.
import t from 'tap';
import { runApi, sofiaStatus } from '../fsstandin/api.js';
import { eventName } from '../fsstandin/esl-session.js';
import { EslReader, eventJson, fsEncode, serializePlain } from '../fsstandin/esl-wire.js';
import { buildAnswer, buildOffer, isSrtp, parseSdp } from '../fsstandin/sdp.js';

t.test('EslReader: commands split across writes and glued together', async (t) => {
  const reader = new EslReader();
  t.same(reader.push(Buffer.from('sendmsg abc\n')), []);
  t.same(reader.push(Buffer.from('call-command: execute\nexecute-app-name: playback\n')), []);
  const [first, second] = reader.push(Buffer.from('\nevent json HEARTBEAT\n\napi stat'));
  t.equal(first?.line, 'sendmsg abc');
  t.equal(first?.headers.get('execute-app-name'), 'playback');
  t.equal(second?.line, 'event json HEARTBEAT');
  const [third] = reader.push(Buffer.from('us\n\n'));
  t.equal(third?.line, 'api status');
  const [withBody] = reader.push(Buffer.from('sendmsg\nContent-Length: 3\n\nabc'));
  t.equal(withBody?.body, 'abc');
});

t.test('fsEncode: what switch_url_encode escapes, decodable by modesl', async (t) => {
  t.equal(fsEncode('+OK\n'), '%2BOK%0A');
  t.equal(fsEncode('v=0\r\nc=IN IP4 1.2.3.4'), 'v%3D0%0D%0Ac%3DIN%20IP4%201.2.3.4');
  t.equal(decodeURIComponent(fsEncode('Grüße: a@b;c')), 'Grüße: a@b;c');
  t.equal(serializePlain([['A', 'x y']]), 'A: x%20y\n\n');
  t.match(
    eventJson([['Event-Name', 'X']]),
    /^Content-Length: \d+\nContent-Type: text\/event-json\n\n\{/,
  );
});

t.test('sofia status: byte for byte what FreeSWITCH 1.10.12 sent', async (t) => {
  const real = [
    '                     Name\t   Type\t                                      Data\tState',
    '=================================================================================================',
    '             drachtio_mrf\tprofile\t              sip:mod_sofia@127.0.0.1:5080\tRUNNING (0)',
    '=================================================================================================',
    '1 profile 0 aliases',
    '',
  ].join('\n');
  t.equal(sofiaStatus('127.0.0.1:5080'), real);
});

t.test('event names as switch_name_event reads them', async (t) => {
  t.equal(eventName('SWITCH_EVENT_PLAYBACK_START'), 'PLAYBACK_START');
  t.equal(eventName('channel_execute'), 'CHANNEL_EXECUTE');
  t.equal(eventName('conference::maintenance'), undefined);
});

t.test(
  'SDP: answer picks the first supported codec; 3pcc offer carries SRTP unless forbidden',
  async (t) => {
    const local = { ip: '127.0.0.1', port: 20000, sessionId: 1, version: 2 };
    const offer = parseSdp(
      'v=0\r\nc=IN IP4 10.0.0.1\r\nm=audio 4000 RTP/AVP 18 8 101\r\na=rtpmap:101 telephone-event/8000\r\n',
    );
    const answer = buildAnswer(offer ?? { address: '', audio: [] }, local) ?? '';
    t.match(answer, /m=audio 20000 RTP\/AVP 8 101\r\n/);
    const none = parseSdp('v=0\r\nc=IN IP4 10.0.0.1\r\nm=audio 4000 RTP/AVP 18\r\n');
    t.equal(buildAnswer(none ?? { address: '', audio: [] }, local), undefined, '488 case');
    const srtp = parseSdp(buildOffer(local, true));
    t.equal(srtp && isSrtp(srtp), true);
    t.equal(srtp?.audio.length, 2);
    const plain = parseSdp(buildOffer(local, false));
    t.equal(plain && isSrtp(plain), false);
  },
);

t.test('sofia status profile: the details cmd_status writes, or why not', async (t) => {
  const sw = {} as Parameters<typeof runApi>[0];
  const details = runApi(sw, 'sofia', 'status profile drachtio_mrf', '127.0.0.1:5080');
  const lines = details.split('\n');
  t.equal(lines[0], '='.repeat(97));
  t.equal(lines[1], 'Name             \tdrachtio_mrf');
  t.ok(lines.includes('URL              \tsip:mod_sofia@127.0.0.1:5080'));
  t.ok(lines.includes('STUN-AUTO-DISABLE\tfalse'), 'a 17-character label keeps no space');
  t.match(details, /FAILED-CALLS-OUT \t0\n\nRegistrations:\n={97}\n={97}\n$/);
  t.equal(runApi(sw, 'sofia', 'status profile internal', '127.0.0.1:5080'), 'Invalid Profile!\n');
  t.equal(runApi(sw, 'sofia', 'status profile', '127.0.0.1:5080'), 'Invalid Syntax!\n');
  t.match(
    runApi(sw, 'sofia', 'status profile drachtio_mrf reg', '127.0.0.1:5080'),
    /^\nRegistrations:\n/,
  );
  t.equal(runApi(sw, 'sofia', 'status', '127.0.0.1:5080'), sofiaStatus('127.0.0.1:5080'));
});
