// The roster importer's char-code fast paths (core/contract/rows.ts, patient.ts) against
// independent oracles written the slow, obvious way (regex + Date): over generated input, good
// and bad, they must give the same value or the same error, so the speed-up changes no rule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isRealDate } from '../../core/contract/fields.ts';
import { Decimal } from '../../core/money/decimal.ts';
import { FieldError, parseCode, parseDate, parseMoney, type RawCells } from '../../core/contract/rows.ts';
import { ROSTER_FIELDS, RosterRowSchema, validateRosterRow } from '../../core/contract/patient.ts';
import type { Problem } from '../../core/contract/problems.ts';
import { syntheticCertno } from '../../core/import/synthetic.ts';
import { parseCsv, type CsvRecord } from '../../core/import/csv.ts';

/** Value, or the error's code and both messages. */
function outcome(f: () => unknown): unknown {
  try {
    return { ok: f() };
  } catch (e) {
    if (!(e instanceof FieldError)) throw e;
    return { code: e.code, message: e.message, messageZh: e.messageZh };
  }
}

const pad = (n: number, w: number) => String(n).padStart(w, '0');
const chars = (alphabet: string, max: number) => fc.array(fc.constantFrom(...alphabet.split('')), { minLength: 0, maxLength: max }).map((a) => a.join(''));

test('parseDate gives what the written rule gives (yyyy-MM-dd, yyyyMMdd, yyyy/M/d, 年月日; real dates only)', () => {
  const oracle = (text: string): string | null => {
    let m = /^(\d{4})(\d{2})(\d{2})$/.exec(text) ?? /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$/.exec(text);
    if (!m) return null;
    const iso = `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}`;
    return isRealDate(iso) ? iso : null;
  };
  const ymd = fc.tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 99 }));
  const candidate = fc.oneof(
    ymd.map(([y, m, d]) => `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`),
    ymd.map(([y, m, d]) => `${pad(y, 4)}${pad(m, 2)}${pad(d, 2)}`),
    fc.tuple(ymd, fc.constantFrom('-', '/', '.', '年', ':')).map(([[y, m, d], s]) => `${pad(y, 4)}${s}${m}${s}${d}`),
    fc.tuple(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 31 })).map(([m, d]) => `2024年${m}月${d}日`),
    chars('0123456789-/.年月日 T:x', 12),
    chars('0123456789-', 10),
  );
  fc.assert(
    fc.property(candidate, (text) => {
      const want = oracle(text);
      const got = outcome(() => parseDate(text, 'd', '日期'));
      if (want === null) assert.equal((got as { code?: string }).code, 'INVALID_DATE', text);
      else assert.deepEqual(got, { ok: want }, text);
    }),
    { numRuns: 4000 },
  );
  // Leap years by the Gregorian rule, not by the fast path's guess.
  assert.equal(parseDate('2000-02-29', 'd', '日期'), '2000-02-29');
  assert.throws(() => parseDate('1900-02-29', 'd', '日期'), /real date/);
  assert.equal(parseDate('20240229', 'd', '日期'), '2024-02-29');
});

test('parseCode accepts exactly 1–max letters, digits, _ . -', () => {
  const parse = parseCode(30, 'psn_no', '人员编号');
  const re = /^[A-Za-z0-9_.\-]{1,30}$/;
  const candidate = fc.oneof(chars('Ab9_.-', 32), chars('Az09_.- 中/\u00e9+', 31), fc.string({ maxLength: 33 }));
  fc.assert(
    fc.property(candidate, (text) => {
      const got = outcome(() => parse(text));
      if (re.test(text)) assert.deepEqual(got, { ok: text });
      else assert.equal((got as { code?: string }).code, 'INVALID_CODE', JSON.stringify(text));
    }),
    { numRuns: 4000 },
  );
});

test('parseMoney gives the canonical two-decimal amount, or INVALID_AMOUNT', () => {
  const candidate = fc.oneof(
    fc.tuple(fc.integer({ min: 0, max: 99999 }), fc.integer({ min: 0, max: 99 })).map(([a, b]) => `${a}.${pad(b, 2)}`),
    fc.tuple(chars('0', 3), fc.integer({ min: 0, max: 999999 }), chars('0123456789', 3)).map(([z, a, b]) => `${z}${a}${b === '' ? '' : '.' + b}`),
    chars('0123456789.,-', 9),
  );
  fc.assert(
    fc.property(candidate, (text) => {
      const t = text.replace(/,/g, '');
      const got = outcome(() => parseMoney(text, 'm', '金额'));
      if (/^\d+(\.\d{1,2})?$/.test(t)) assert.deepEqual(got, { ok: new Decimal(t).toFixed(2) }, text);
      else assert.equal((got as { code?: string }).code, 'INVALID_AMOUNT', text);
    }),
    { numRuns: 4000 },
  );
});

test('RosterRowSchema (zod) and the importer validator agree on generated rows, good and bad', () => {
  const cell = (good: fc.Arbitrary<string>, bad: string[]) => fc.oneof({ arbitrary: good, weight: 4 }, { arbitrary: fc.constantFrom(...bad), weight: 1 });
  const row = fc.record({
    psn_no: cell(fc.integer({ min: 0, max: 1e9 }).map((n) => `53${pad(n, 14)}`), ['', ' ', '53 01', '中文']),
    certno: cell(
      fc.tuple(fc.integer({ min: 1930, max: 2010 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 }), fc.nat(999)).map(([y, m, d, s]) => syntheticCertno('530902', `${y}${pad(m, 2)}${pad(d, 2)}`, s)),
      ['', '530902199001011234', '53090219900230123X', '123'],
    ),
    card_no: cell(fc.nat(99999999).map((n) => `K${pad(n, 8)}`), ['', 'K 1']),
    name: cell(fc.constantFrom('张伟', '李娜', '王秀英'), ['', 'x'.repeat(51)]),
    insutype: cell(fc.constantFrom('390', '310', '居民', '职工', 'resident'), ['', '391', '农合']),
    region: cell(fc.constant('530902'), ['', '5309', 'abcdef']),
    conditions: cell(fc.constantFrom('hypertension', 'diabetes', 'both', '高血压', '糖尿病', 'M03900,M01600', '高血压、糖尿病'), ['', '冠心病', ',']),
    management_class: cell(fc.constantFrom('1', '2', '一类', ''), ['3']),
    flagged_date: cell(fc.constantFrom('2024-03-01', '20240301', '2024/3/1', ''), ['2024-02-30', '2024-13-01']),
    status: cell(fc.constantFrom('active', 'stopped', '正常', ''), ['gone']),
    stopped_date: cell(fc.constantFrom('2024-06-30', ''), ['2024-06-31']),
    pool_used: cell(fc.constantFrom('12.50', '0.5', '1,200', ''), ['-1', '1.234']),
    pool_used_as_of: cell(fc.constantFrom('2024-06-30', ''), ['x']),
  });
  fc.assert(
    fc.property(row, (obj) => {
      const cells: RawCells = ROSTER_FIELDS.map((f) => (obj as Record<string, string | undefined>)[f.name]);
      const problems: Problem[] = [];
      const direct = validateRosterRow(cells, problems);
      const viaZod = RosterRowSchema.safeParse(obj);
      if (direct !== null) assert.deepEqual(viaZod.success ? viaZod.data : viaZod.error.issues, direct);
      else {
        assert.equal(viaZod.success, false);
        const issues = viaZod.error!.issues.map((i) => ({ path: i.path.join('.'), code: (i as { params?: { code?: string } }).params?.code, message: i.message }));
        assert.deepEqual(issues, problems.map((p) => ({ path: p.path, code: p.code, message: p.message })));
      }
    }),
    { numRuns: 1500 },
  );
});

test('parseCsv splits unquoted lines exactly as String#split does (any delimiter, CRLF, blank lines, one-column files)', () => {
  const line = (sep: string) => fc.array(chars(`ab1中 ${sep}`, 4), { minLength: 1, maxLength: 6 }).map((cells) => cells.join(sep));
  const file = fc.constantFrom(',', '\t', ';').chain((sep) => fc.tuple(fc.constant(sep), fc.array(line(sep), { minLength: 0, maxLength: 8 }), fc.constantFrom('\n', '\r\n')));
  fc.assert(
    fc.property(file, ([sep, lines, eol]) => {
      const got: CsvRecord[] = [];
      parseCsv(lines.join(eol), (r) => got.push(r), { delimiter: sep });
      const want = lines.map((l, i) => ({ cells: l.split(sep), line: i + 1, text: l })).filter((r) => r.text !== '');
      assert.deepEqual(got, want);
    }),
    { numRuns: 3000 },
  );
});
