/**
 * What a caller's Require asks of the gateway (RFC 3261 8.2.2.3): supported tags pass, any other
 * refuses the INVITE, and only well-formed option tags are named back, each once.
 */
import t from 'tap';
import { checkRequire, requires, SUPPORTED_OPTION_TAGS } from '../../src/edge/extensions.js';

const served = { refuse: false, unsupported: [] };

t.test('no Require, or only what drachtio-server and the gateway implement: served', async (t) => {
  t.same(checkRequire(undefined), served);
  t.same(checkRequire(''), served);
  t.same(checkRequire('timer'), served);
  t.same(checkRequire(' Timer ,HISTINFO'), served, 'tokens compare without regard to case');
  t.same(checkRequire(' , ,timer,'), served, 'empty entries of a list are no tags');
  t.same(checkRequire('100rel, timer'), served, 'drachtio-server sends the 18x reliably');
  t.same([...SUPPORTED_OPTION_TAGS].sort(), ['100rel', 'histinfo', 'timer']);
});

t.test('an unsupported tag refuses, and is named back as the caller wrote it', async (t) => {
  t.same(checkRequire('precondition'), { refuse: true, unsupported: ['precondition'] });
  t.same(checkRequire('timer, 100rel ,precondition, sec-agree'), {
    refuse: true,
    unsupported: ['precondition', 'sec-agree'],
  });
  t.same(
    checkRequire('PRECONDITION,precondition, 100rel, Precondition'),
    { refuse: true, unsupported: ['PRECONDITION'] },
    'each tag once',
  );
});

t.test('entries that are no option tag refuse too, but are never echoed', async (t) => {
  t.same(checkRequire('foo bar'), { refuse: true, unsupported: [] }, 'a space is no token');
  t.same(checkRequire('x'.repeat(65)), { refuse: true, unsupported: [] }, 'longer than a tag');
  t.same(checkRequire('<sip:a@b>, replaces'), { refuse: true, unsupported: ['replaces'] });
  const many = Array.from({ length: 12 }, (_, i) => `ext${i}`).join(',');
  const check = checkRequire(many);
  t.ok(check.refuse);
  t.same(check.unsupported, ['ext0', 'ext1', 'ext2', 'ext3', 'ext4', 'ext5', 'ext6', 'ext7']);
});

t.test(
  'requires: a whole option tag of the list, in any case; not a part of another',
  async (t) => {
    t.ok(requires('timer, 100REL', '100rel'));
    t.ok(requires(' 100rel ', '100rel'));
    t.notOk(requires('x-100rel, timer', '100rel'), 'another tag that contains it');
    t.notOk(requires(undefined, '100rel'));
    t.notOk(requires('', '100rel'));
  },
);
