// drachtio framing: `<N>#<payload>` with N in UTF-8 bytes, glued or split anywhere.
import t from 'tap';
import { encodeFrame, FrameDecoder, FramingError } from '../standin/framing.js';

const bytes = (s: string) => Buffer.from(s, 'utf8');

t.test('one frame in one read', async (t) => {
  t.same(new FrameDecoder().push(bytes('5#hello')), ['hello']);
});

t.test('frames glued in one read', async (t) => {
  t.same(new FrameDecoder().push(bytes('3#abc2#de1#f')), ['abc', 'de', 'f']);
});

t.test('split inside the length, after the hash sign, and inside the payload', async (t) => {
  const d = new FrameDecoder();
  t.same(d.push(bytes('1')), []);
  t.same(d.push(bytes('2')), []);
  t.same(d.push(bytes('#hello ')), []);
  t.same(d.push(bytes('world!3#x')), ['hello world!']);
  t.same(d.push(bytes('yz')), ['xyz']);
});

t.test('length counts UTF-8 bytes; a character split across reads survives', async (t) => {
  const frame = encodeFrame('Grüße ☎ 📞');
  t.equal(frame.toString('utf8'), `${Buffer.byteLength('Grüße ☎ 📞')}#Grüße ☎ 📞`);
  const d = new FrameDecoder();
  const out: string[] = [];
  for (const byte of frame) out.push(...d.push(Buffer.from([byte])));
  t.same(out, ['Grüße ☎ 📞']);
});

t.test('five length digits are accepted, six are a protocol error', async (t) => {
  const payload = 'x'.repeat(10000);
  t.same(new FrameDecoder().push(bytes(`10000#${payload}`)), [payload]);
  t.throws(() => new FrameDecoder().push(bytes('100000#')), FramingError);
  t.throws(
    () => new FrameDecoder().push(bytes('123456')),
    FramingError,
    'even before the hash sign',
  );
});

t.test('non-digits before the hash sign and a missing length are errors', async (t) => {
  t.throws(() => new FrameDecoder().push(bytes('1a#x')), FramingError);
  t.throws(() => new FrameDecoder().push(bytes('#x')), FramingError);
});

t.test('a zero-length frame is skipped, as by the real server', async (t) => {
  t.same(new FrameDecoder().push(bytes('0#2#ok')), ['ok']);
});
