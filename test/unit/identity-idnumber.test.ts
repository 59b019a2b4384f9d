// GB 11643 resident ID numbers: check character, birth date, region, 15→18 conversion.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CHECK_CHARS, checkChar, convert15to18, identify, parseIdNumber } from '../../core/identity/index.ts';

const TODAY = '2026-11-24';

/** Independent re-statement of the MOD 11-2 rule, so the test does not trust checkChar. */
function referenceCheck(first17: string): string {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const s = [...first17].reduce((acc, d, i) => acc + Number(d) * w[i]!, 0);
  return '10X98765432'[s % 11]!;
}

/** Valid 17-digit prefixes: province codes, real dates 1900–2025, any sequence. */
const prefixArb = fc
  .record({
    province: fc.constantFrom('11', '31', '44', '50', '51', '53', '42', '65'),
    rest: fc.integer({ min: 0, max: 9999 }),
    date: fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2025-12-31T00:00:00Z'), noInvalidDate: true }),
    seq: fc.integer({ min: 0, max: 999 }),
  })
  .map(({ province, rest, date, seq }) => {
    const d = date.toISOString().slice(0, 10).replaceAll('-', '');
    return `${province}${String(rest).padStart(4, '0')}${d}${String(seq).padStart(3, '0')}`;
  });

test('the standard examples are valid (GB 11643 annex: 11010519491231002X, 440524188001010014)', () => {
  for (const id of ['11010519491231002X', '440524188001010014']) {
    const r = parseIdNumber(id, TODAY);
    assert.equal(r.valid, true, JSON.stringify(r.problems));
    assert.deepEqual(r.problems, []);
  }
  const r = parseIdNumber('11010519491231002X', TODAY);
  assert.equal(r.info?.birthDate, '1949-12-31');
  assert.equal(r.info?.gender, 'female'); // 17th digit 2 is even
  assert.equal(r.info?.region, '110105');
});

test('every one of the 11 check characters, including X, is accepted when right and named when wrong', () => {
  const seen = new Set<string>();
  for (let seq = 0; seq < 1000 && seen.size < 11; seq++) {
    const first17 = `53010219900101${String(seq).padStart(3, '0')}`;
    const expected = referenceCheck(first17);
    if (seen.has(expected)) continue;
    seen.add(expected);
    assert.equal(checkChar(first17), expected);
    assert.equal(parseIdNumber(first17 + expected, TODAY).valid, true, first17 + expected);
    for (const wrong of CHECK_CHARS.filter((c) => c !== expected)) {
      const r = parseIdNumber(first17 + wrong, TODAY);
      assert.equal(r.valid, false);
      assert.deepEqual(r.problems.map((x) => x.code), ['CHECK_DIGIT'], `${first17}${wrong}`);
      assert.match(r.problems[0]!.message, new RegExp(`should be ${expected}`));
      assert.match(r.problems[0]!.messageZh, new RegExp(`应为 ${expected}`));
    }
  }
  assert.equal(seen.size, 11);
});

test('lowercase x is accepted and normalised to X', () => {
  const r = identify('11010519491231002x', { today: TODAY });
  assert.equal(r.kind, 'id-card');
  assert.equal(r.valid, true);
  assert.equal(r.normalized, '11010519491231002X');
  assert.equal(r.cert?.mdtrtCertType, '02');
});

test('impossible birth dates are refused: 30 February, month 13, a future date, before 1850', () => {
  const make = (date8: string) => {
    const first17 = `530102${date8}123`;
    return first17 + checkChar(first17);
  };
  const cases: [string, string][] = [
    ['20230230', 'ID_BIRTH_DATE'],
    ['19901301', 'ID_BIRTH_DATE'],
    ['19900100', 'ID_BIRTH_DATE'],
    ['20261125', 'ID_BIRTH_FUTURE'],
    ['18491231', 'ID_BIRTH_DATE'],
  ];
  for (const [date, code] of cases) {
    const r = parseIdNumber(make(date), TODAY);
    assert.equal(r.valid, false, date);
    assert.deepEqual(r.problems.map((x) => x.code), [code], date);
  }
  // 29 February in a leap year and today itself are real.
  assert.equal(parseIdNumber(make('20000229'), TODAY).valid, true);
  assert.equal(parseIdNumber(make('20261124'), TODAY).valid, true);
  assert.equal(parseIdNumber(make('19000229'), TODAY).valid, false); // 1900 is not a leap year
});

test('an unknown province prefix is reported', () => {
  const first17 = '99010219900101123';
  const r = parseIdNumber(first17 + checkChar(first17), TODAY);
  assert.deepEqual(r.problems.map((x) => x.code), ['ID_REGION']);
});

test('15-digit legacy numbers are converted to 18 with "19" and a computed check character', () => {
  assert.equal(convert15to18('110105491231002'), '11010519491231002X');
  const r = identify('530102900101123', { today: TODAY });
  assert.equal(r.kind, 'id-card');
  assert.equal(r.valid, true);
  assert.equal(r.normalized.length, 18);
  assert.equal(r.normalized.slice(6, 14), '19900101');
  assert.equal(r.id?.convertedFrom15, true);
  // A 15-digit number with an impossible date is still refused.
  assert.equal(identify('530102901301123', { today: TODAY }).valid, false);
});

test('wrong lengths and stray characters are ID_FORMAT problems, not crashes', () => {
  for (const input of ['5301021990010112', '5301021990010112345', '53010219900101123Y']) {
    const r = identify(input, { today: TODAY });
    assert.equal(r.valid, false, input);
    assert.equal(r.kind, 'id-card', input);
    assert.equal(r.problems[0]?.code, 'ID_FORMAT', input);
  }
});

test('full-width digits, spaces and the scanner Enter are tolerated', () => {
  const r = identify('１１０１０５ １９４９１２３１ ００２ｘ\r\n', { today: TODAY });
  assert.equal(r.valid, true, JSON.stringify(r.problems));
  assert.equal(r.normalized, '11010519491231002X');
});

test('property: any generated valid ID passes; its 15-digit form converts back to it', () => {
  fc.assert(
    fc.property(prefixArb, (first17) => {
      const id = first17 + referenceCheck(first17);
      const r = parseIdNumber(id, TODAY);
      assert.equal(r.valid, true, `${id}: ${JSON.stringify(r.problems)}`);
      if (first17.slice(6, 8) === '19') {
        const legacy = first17.slice(0, 6) + first17.slice(8, 17);
        assert.equal(convert15to18(legacy), id);
      }
    }),
    { numRuns: 300 },
  );
});

test('property: changing any single character of a valid ID makes it invalid', () => {
  fc.assert(
    fc.property(prefixArb, fc.integer({ min: 0, max: 17 }), fc.integer({ min: 1, max: 10 }), (first17, pos, delta) => {
      const id = first17 + referenceCheck(first17);
      const chars = [...id];
      const alphabet = pos === 17 ? '0123456789X' : '0123456789';
      const old = alphabet.indexOf(chars[pos]!);
      chars[pos] = alphabet[(old + delta) % alphabet.length]!;
      if (chars[pos] === id[pos]) return; // delta wrapped onto itself (only possible in the 10-letter alphabet)
      const r = parseIdNumber(chars.join(''), TODAY);
      assert.equal(r.valid, false, `${id} → ${chars.join('')}`);
    }),
    { numRuns: 400 },
  );
});
