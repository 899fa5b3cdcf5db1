import t from 'tap';
import { callerId, dealerDisplayName } from '../../src/sip/caller-id.js';

t.test('the caller number, from P-Asserted-Identity before From', async (t) => {
  t.same(callerId({ from: '"Max Muster" <sip:+4917612345678@carrier.example>;tag=1' }, '49'), {
    kind: 'number',
    number: '+4917612345678',
    name: 'Max Muster',
  });
  t.same(callerId({ from: '<sip:017612345678@carrier.example>;tag=1' }, '49'), {
    kind: 'number',
    number: '+4917612345678',
  });
  t.same(callerId({ from: 'sip:spoofed@x;tag=1', assertedIdentity: '<tel:+4930123456>' }, '49'), {
    kind: 'number',
    number: '+4930123456',
  });
});

t.test('withheld: Privacy id/user/header, or an anonymous From', async (t) => {
  const from = '<sip:+4917612345678@carrier.example>;tag=1';
  for (const privacy of ['id', 'user', 'header', 'id;critical', 'Header; Session']) {
    t.same(callerId({ from, privacy }, '49'), { kind: 'withheld' }, `Privacy: ${privacy}`);
  }
  t.same(callerId({ from, privacy: 'none' }, '49'), { kind: 'number', number: '+4917612345678' });
  for (const anon of [
    '"Anonymous" <sip:anonymous@anonymous.invalid>;tag=1',
    '<sip:anonymous@carrier.example>;tag=2',
    'Anonymous <sip:c@anonymous.invalid>',
  ]) {
    t.same(
      callerId({ from: anon, assertedIdentity: '<sip:+4917612345678@carrier>' }, '49'),
      { kind: 'withheld' },
      anon,
    );
  }
});

t.test('no readable number is unknown, not guessed', async (t) => {
  t.same(callerId({ from: '"alice" <sip:alice@example.com>;tag=1' }, '49'), { kind: 'unknown' });
  t.same(callerId({}, '49'), { kind: 'unknown' });
});

t.test('a (0) caller number is read; an ambiguous one is unknown, not guessed', async (t) => {
  t.same(callerId({ from: '<sip:+49(0)30123456@carrier.example>;tag=1' }, '49'), {
    kind: 'number',
    number: '+4930123456',
  });
  t.same(callerId({ from: '<sip:+49030123456@carrier.example>;tag=1' }, '49'), {
    kind: 'unknown',
  });
  t.same(
    callerId(
      { from: '<sip:+4930123456@carrier.example>;tag=1', assertedIdentity: '<tel:+49-030-123456>' },
      '49',
    ),
    { kind: 'unknown' },
    "an unreadable P-Asserted-Identity is not replaced by the caller's own From",
  );
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
  t.equal(dealerDisplayName({ kind: 'number', number: '+4930123456' }, undefined), undefined);
});
