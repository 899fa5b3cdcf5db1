import t from 'tap';
import { callerId, dealerDisplayName } from '../../src/edge/caller-id.js';
import { safeDisplayName } from '../../src/edge/display-name.js';

t.test(
  'the caller number: From, and P-Asserted-Identity only from a trusted carrier',
  async (t) => {
    t.same(
      callerId({ from: '"Max Muster" <sip:+4917612345678@carrier.example>;tag=1' }, '49', false),
      {
        kind: 'number',
        number: '+4917612345678',
        name: 'Max Muster',
      },
    );
    t.same(callerId({ from: '<sip:017612345678@carrier.example>;tag=1' }, '49', false), {
      kind: 'number',
      number: '+4917612345678',
    });
    const spoofable = {
      from: '<sip:+4917611111111@x>;tag=1',
      assertedIdentity: '<tel:+4930123456>',
    };
    t.same(
      callerId(spoofable, '49', true),
      { kind: 'number', number: '+4930123456' },
      'trusted: PAI',
    );
    t.same(
      callerId(spoofable, '49', false),
      { kind: 'number', number: '+4917611111111' },
      'untrusted: the PAI is ignored, the From shown',
    );
    t.same(
      callerId({ from: 'sip:spoofed@x;tag=1', assertedIdentity: '<tel:+4930123456>' }, '49', false),
      { kind: 'unknown' },
      'untrusted: no number of its own is not filled in from the PAI',
    );
  },
);

t.test('withheld: Privacy id/user/header, or an anonymous From, from any source', async (t) => {
  const from = '<sip:+4917612345678@carrier.example>;tag=1';
  for (const trusted of [true, false])
    for (const privacy of ['id', 'user', 'header', 'id;critical', 'Header; Session'])
      t.same(
        callerId({ from, privacy }, '49', trusted),
        { kind: 'withheld' },
        `Privacy: ${privacy}`,
      );
  t.same(callerId({ from, privacy: 'none' }, '49', false), {
    kind: 'number',
    number: '+4917612345678',
  });
  for (const anon of [
    '"Anonymous" <sip:anonymous@anonymous.invalid>;tag=1',
    '<sip:anonymous@carrier.example>;tag=2',
    'Anonymous <sip:c@anonymous.invalid>',
  ]) {
    t.same(
      callerId({ from: anon, assertedIdentity: '<sip:+4917612345678@carrier>' }, '49', true),
      { kind: 'withheld' },
      anon,
    );
  }
});

t.test('no readable number is unknown, not guessed', async (t) => {
  t.same(callerId({ from: '"alice" <sip:alice@example.com>;tag=1' }, '49', false), {
    kind: 'unknown',
  });
  t.same(callerId({}, '49', true), { kind: 'unknown' });
});

const HOSTILE: [string, string, string | undefined][] = [
  [
    'a second address',
    '"Max\\" <sip:110@evil.example>;x=\\"" <sip:+4917612345678@c>',
    'Max sip:110@evil.example ;x=',
  ],
  ['an escaped quote', '"Max \\"M\\"" <sip:+4917612345678@c>', 'Max M'],
  ['a backslash', '"C:\\\\evil" <sip:+4917612345678@c>', 'C: evil'],
  ['CR LF', '"Max\r\nVia: x" <sip:+4917612345678@c>', 'Max Via: x'],
  ['NUL and DEL', '"Ma\u0000x\u007f" <sip:+4917612345678@c>', 'Ma x'],
  ['a bidi override', '"\u202exaM" <sip:+4917612345678@c>', 'xaM'],
  ['invalid UTF-8 (decoded as U+FFFD)', '"M\ufffd\ufffdx" <sip:+4917612345678@c>', 'M x'],
  ['a lone surrogate', '"M\ud800x" <sip:+4917612345678@c>', 'M x'],
  ['only quotes', '"\\"\\"" <sip:+4917612345678@c>', undefined],
  ['a token name with a tab', 'Max\tMuster <sip:+4917612345678@c>', 'Max Muster'],
];

t.test('hostile display names come out as one safe name, or none', async (t) => {
  for (const [what, from, name] of HOSTILE) {
    const id = callerId({ from }, '49', false);
    t.same(id, { kind: 'number', number: '+4917612345678', ...(name && { name }) }, what);
    const shown = dealerDisplayName(id, '[mobile.de]') ?? '';
    t.notMatch(
      shown,
      // biome-ignore lint/suspicious/noControlCharactersInRegex: they are what must not get through
      /["\\<>\r\n\u0000-\u001f\u007f\ufffd]/,
      `${what}: nothing that breaks a header`,
    );
  }
  t.equal(safeDisplayName('Müller & Söhne 🚗'), 'Müller & Söhne 🚗', 'ordinary UTF-8 is kept');
  t.equal(Array.from(safeDisplayName('ä'.repeat(500)) ?? '').length, 48, 'long names are cut');
  t.equal(safeDisplayName('   '), undefined);
});

t.test('what the dealer phone shows', async (t) => {
  t.equal(
    dealerDisplayName({ kind: 'number', number: '+4930123456', name: 'Max' }, '[mobile.de]'),
    '[mobile.de] Max',
  );
  t.equal(
    dealerDisplayName({ kind: 'number', number: '+4930123456' }, '[mobile.de]'),
    '[mobile.de]',
  );
  t.equal(dealerDisplayName({ kind: 'withheld' }, '[mobile.de]'), '[mobile.de] Anonymous');
  t.equal(
    dealerDisplayName({ kind: 'withheld' }, 'say "hi"'),
    'say hi Anonymous',
    'prefix made safe',
  );
  t.equal(dealerDisplayName({ kind: 'number', number: '+4930123456' }, undefined), undefined);
});

t.test('a (0) caller number is read; an ambiguous one is unknown, not guessed', async (t) => {
  t.same(callerId({ from: '<sip:+49(0)30123456@carrier.example>;tag=1' }, '49', false), {
    kind: 'number',
    number: '+4930123456',
  });
  t.same(callerId({ from: '<sip:+49030123456@carrier.example>;tag=1' }, '49', false), {
    kind: 'unknown',
  });
  t.same(
    callerId(
      { from: '<sip:+4930123456@carrier.example>;tag=1', assertedIdentity: '<tel:+49-030-123456>' },
      '49',
      true,
    ),
    { kind: 'unknown' },
    "an unreadable P-Asserted-Identity of a trusted carrier is not replaced by the caller's own From",
  );
});
