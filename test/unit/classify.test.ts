import t from 'tap';
import { classify, isAreaCode } from '../../src/numbering/classify.js';

t.test('German area codes of 2 to 5 digits', async (t) => {
  const cases: [string, string][] = [
    ['+4930123456', '30'],
    ['+498912345678', '89'],
    ['+4935112345678', '351'],
    ['+493363112345', '33631'],
    ['+4922112345678', '221'],
  ];
  for (const [number, area] of cases) {
    t.same(
      classify(number),
      { country: 'DE', kind: 'geographic', areaCode: area, region: 'DE' },
      `${number} is in 0${area}`,
    );
  }
});

t.test('Austrian area codes', async (t) => {
  for (const [number, area] of [
    ['+4315123456', '1'],
    ['+43316123456', '316'],
    ['+43662123456', '662'],
    ['+4322361234', '2236'],
  ] as const) {
    t.same(
      classify(number),
      { country: 'AT', kind: 'geographic', areaCode: area, region: 'AT' },
      `${number} is in 0${area}`,
    );
  }
});

t.test('mobile, toll-free, other and invalid numbers', async (t) => {
  t.equal(classify('+4915112345678').kind, 'mobile');
  t.equal(classify('+4917612345678').kind, 'mobile');
  t.equal(classify('+436641234567').kind, 'mobile');
  t.equal(classify('+498001234567').kind, 'toll-free');
  t.equal(classify('+4932212345678').kind, 'other', '032 numbers are nationwide, not an area code');
  t.same(classify('+41445551234'), {
    country: 'other',
    kind: 'geographic',
    areaCode: '44',
    region: 'CH',
  });
  t.equal(classify('+493012').kind, 'invalid', 'too short for Berlin');
  t.equal(classify('+4930123').country, 'DE', 'an invalid German number is still German');
});

t.test('isAreaCode checks a seat area code against the numbering plan', async (t) => {
  t.ok(isAreaCode('DE', '30'));
  t.ok(isAreaCode('DE', '33631'));
  t.ok(isAreaCode('AT', '1'));
  t.ok(isAreaCode('AT', '316'));
  t.notOk(isAreaCode('DE', '151'), 'a mobile prefix is not an area code');
  t.notOk(isAreaCode('DE', '800'), 'toll-free is not an area code');
  t.notOk(isAreaCode('DE', '3'), 'a prefix of area codes is not one');
});
