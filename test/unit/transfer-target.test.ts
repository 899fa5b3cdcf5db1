import t from 'tap';
import { type TransferPolicy, transferTarget } from '../../src/call/transfer-target.js';
import { referOf } from '../../src/sip/refer.js';

const policy: TransferPolicy = {
  trunk: { route: { scheme: 'sip', hostPort: 'trunk.example:5060' } },
  defaultCountryCode: '49',
  international: false,
  isTrackingNumber: (n) => n === '+493025550101',
};

t.test('a number goes through the trunk, in any shape a phone sends it', async (t) => {
  for (const target of [
    'sip:+493089001234@10.0.0.1',
    'sip:03089001234@10.0.0.1;user=phone',
    'tel:+49-30-8900-1234',
    'sips:004930 8900 1234@pbx.example',
  ])
    t.same(
      transferTarget(target, policy),
      { ok: true, kind: 'e164', number: '+493089001234' },
      target,
    );
});

t.test('an Austrian number is allowed like a German one', async (t) => {
  t.match(transferTarget('sip:+4315123456@x', policy), { ok: true, kind: 'e164' });
});

t.test('refused: a tracking number, outside DE/AT, not a valid number', async (t) => {
  t.match(transferTarget('sip:+493025550101@x', policy), {
    ok: false,
    status: 403,
    reason: /Tracking Number/,
  });
  t.match(transferTarget('sip:+41445551234@x', policy), { ok: false, status: 403 });
  t.match(transferTarget('sip:+41445551234@x', { ...policy, international: true }), {
    ok: true,
    number: '+41445551234',
  });
  t.match(transferTarget('sip:+4901234567@x', policy), { ok: false, status: 404 }, 'invalid');
  t.match(transferTarget('sip:+49301@x', policy), { ok: false, status: 404 }, 'too short');
  t.match(transferTarget('tel:hotline', policy), { ok: false, status: 404 });
});

t.test('a Refer-To number in the (0) form goes; an ambiguous one is refused', async (t) => {
  t.same(transferTarget('tel:+49-(0)30-8900-1234', policy), {
    ok: true,
    kind: 'e164',
    number: '+493089001234',
  });
  t.same(
    transferTarget('sip:+49030-8900-1234@10.0.0.1', policy),
    { ok: false, status: 404, reason: 'Not A Valid Number' },
    'not guessed, and not sent on as a SIP URI of that name',
  );
});

t.test('a SIP URI without a number goes as written; a broken one is refused', async (t) => {
  t.same(transferTarget('sip:reception@pbx.example;transport=tcp', policy), {
    ok: true,
    uri: 'sip:reception@pbx.example;transport=tcp',
    kind: 'sip',
  });
  t.match(transferTarget('sip:reception@', policy), { ok: false, status: 400 });
});

t.test('Refer-To: the URI, and whether it embeds Replaces (attended transfer)', async (t) => {
  t.same(referOf('<sip:+4930999@10.0.0.1>'), { target: 'sip:+4930999@10.0.0.1', replaces: false });
  t.same(referOf('"Empfang" <sip:empfang@pbx.example;transport=tcp>;x=1'), {
    target: 'sip:empfang@pbx.example;transport=tcp',
    replaces: false,
  });
  t.same(referOf('sip:+4930999@10.0.0.1'), { target: 'sip:+4930999@10.0.0.1', replaces: false });
  t.same(referOf('<sip:+4930999@h?Replaces=abc%40h%3Bto-tag%3D1%3Bfrom-tag%3D2>'), {
    target: 'sip:+4930999@h',
    replaces: true,
  });
  t.equal(referOf(undefined), undefined, 'no Refer-To');
  t.equal(referOf('<mailto:a@b>'), undefined, 'not a SIP or tel URI');
});
