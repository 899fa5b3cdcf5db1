import t from 'tap';
import { FAILURES, normalise, normaliseValue } from '../../src/numbering/normalise.js';

const DE = { defaultCountryCode: '49' };
const AT = { defaultCountryCode: '43' };

t.test('every shape a carrier or caller uses becomes E.164', async (t) => {
  const shapes: [string, string][] = [
    ['+4930123456', 'E.164 as is'],
    ['004930123456', 'international prefix 00'],
    ['030123456', 'national with trunk prefix 0 (default DE)'],
    ['4930123456', 'E.164 without plus, as trunks send it'],
    ['tel:+49-30-123456', 'tel: URI with separators'],
    [
      'tel:+49 (30) 123 456;phone-context=example.net',
      'tel: URI with spaces, brackets and parameters',
    ],
    ['TEL:+49.30.123456', 'scheme in capitals, dots'],
    ['tel:030/123456', 'tel: national with slash'],
    ['sip:+4930123456@carrier.example;user=phone', 'sip: user part with user=phone'],
    ['sips:004930123456@carrier.example:5061;transport=tls', 'sips: with 00 prefix'],
    ['sip:030123456@10.0.0.1', 'sip: national user part'],
    ['sip:+4930123456;npdi;rn=+4930999@carrier.example;user=phone', 'user-part parameters'],
    ['<sip:+4930123456@carrier.example;user=phone>', 'name-addr in angle brackets'],
    [
      '"Autohaus" <sip:+4930123456@carrier.example>;tag=abc',
      'header value with display name and tag',
    ],
    [' +49 30 123456 ', 'surrounding and inner spaces'],
    ['(+49) 30-123456', 'plus inside brackets'],
  ];
  for (const [raw, shape] of shapes) t.equal(normalise(raw, DE), '+4930123456', shape);
});

t.test('the default country decides national numbers', async (t) => {
  t.equal(normalise('0316123456', AT), '+43316123456');
  t.equal(normalise('0316123456', DE), '+49316123456');
  t.equal(
    normalise('0043316123456', DE),
    '+43316123456',
    'an international number ignores the default',
  );
});

t.test('bad input is refused with a reason, never guessed', async (t) => {
  const cases: [string, 'malformed' | 'incomplete', RegExp][] = [
    ['', 'malformed', /no number/],
    ['   ', 'malformed', /no number/],
    ['abc', 'malformed', /not digits/],
    ['sip:alice@example.com', 'malformed', /not digits/],
    ['+49 30 12x456', 'malformed', /not digits/],
    ['+4930123456789012', 'malformed', /more than 15/],
    ['+', 'incomplete', /no country code/],
    ['00', 'incomplete', /no country code/],
    ['+0301234567', 'incomplete', /no country code/],
    ['0004930123456', 'incomplete', /no country code/],
    ['0', 'incomplete', /fewer than/],
    ['+49301', 'incomplete', /fewer than/],
    ['030', 'incomplete', /fewer than/],
    ['tel:', 'malformed', /no number/],
  ];
  for (const [raw, reason, detail] of cases) {
    const r = normalise(raw, DE);
    t.type(r, 'object', `'${raw}' is refused`);
    if (typeof r === 'object') {
      t.equal(r.reason, reason, `'${raw}' is ${reason}`);
      t.match(r.detail, detail);
    }
  }
});

t.test('the (0) of a business card marks the trunk prefix and is dropped', async (t) => {
  const shapes: [string, string, string][] = [
    ['+49 (0)30 1234567', '+49301234567', 'the German business-card form'],
    ['+43 (0)1 5123456', '+4315123456', 'Vienna'],
    ['0049 (0)30 1234567', '+49301234567', 'with the international prefix 00'],
    ['+49 (0) 30 1234567', '+49301234567', 'a space after the bracket'],
    ['+49(0)301234567', '+49301234567', 'no spaces at all'],
    ['tel:+49-(0)30-1234567', '+49301234567', 'tel: URI, brackets are visual separators'],
    ['sip:+49(0)301234567@carrier.example;user=phone', '+49301234567', 'SIP user part'],
    ['+41 (0)44 1234567', '+41441234567', 'any country code (routing then refuses non-DE/AT)'],
  ];
  for (const [raw, e164, shape] of shapes) t.equal(normalise(raw, DE), e164, shape);
  t.equal(normalise('(+49) 30-123456', DE), '+4930123456', 'a bracketed +49 is still a separator');
  t.equal(normalise('+39 06 1234567', DE), '+39061234567', 'Italian numbers keep their 0');
});

t.test('an ambiguous trunk 0 is refused with why, never guessed', async (t) => {
  const cases: [string, RegExp][] = [
    ['+49 030 1234567', /a 0 right after the country code \+49 or \+43/],
    ['+49030 1234567', /a 0 right after the country code/],
    ['+43 01 5123456', /a 0 right after the country code/],
    ['00490301234567', /a 0 right after the country code/],
    ['490301234567', /a 0 right after the country code/],
    ['+49 (0)030 1234567', /a 0 right after the country code/],
    ['+49 30 (0)1234567', /'\(0\)' may stand only right after the country code/],
    ['+49 (0)(0)30 1234567', /'\(0\)' may stand only right after the country code/],
    ['+4 (0)9301234567', /'\(0\)' may stand only right after the country code/],
    ['(0)30 1234567', /'\(0\)' without a country code/],
    ['030 (0)1234567', /'\(0\)' without a country code/],
    ['sip:+49030123456@carrier.example', /a 0 right after the country code/],
  ];
  for (const [raw, detail] of cases) {
    const r = normalise(raw, DE);
    t.match(r, { ok: false, reason: 'ambiguous', detail }, raw);
  }
});

t.test('normaliseValue is the integer form the route table probes', async (t) => {
  t.equal(normaliseValue('+4930123456', 49, 2), 4930123456);
  t.equal(normaliseValue('030123456', 49, 2), 4930123456);
  t.equal(normaliseValue('0316123456', 43, 2), 43316123456);
  t.equal(normaliseValue('+999999999999999', 49, 2), 999999999999999, '15 digits stay exact');
  t.ok(normaliseValue('x', 49, 2) < 0);
  t.equal(FAILURES[-normaliseValue('x', 49, 2)]?.reason, 'malformed');
});
