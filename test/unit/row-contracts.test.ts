// Row contracts (zod wrappers over the one validator), the CSV splitter and encoding detection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import iconv from 'iconv-lite';
import { RosterRowSchema, parseConditions, isPlainValidCertno } from '../../core/contract/patient.ts';
import { parseIdNumber } from '../../core/identity/idnumber.ts';
import fc from 'fast-check';
import { CatalogRowSchema, isNationalDrugCode } from '../../core/contract/catalog.ts';
import { parseCsv, csvCell, type CsvRecord } from '../../core/import/csv.ts';
import { decodeBuffer } from '../../core/import/decode.ts';
import { contentHash } from '../../core/import/hash.ts';
import { syntheticCertno } from '../../core/import/synthetic.ts';
import { parseDate, parseMoney } from '../../core/contract/rows.ts';

const ID = syntheticCertno('530902', '19560312', 21);

test('conditions: hypertension/diabetes/both, 高血压/糖尿病/两病, M03900/M01600, in list forms', () => {
  for (const [text, want] of [
    ['hypertension', 'hypertension'], ['高血压', 'hypertension'], ['M03900', 'hypertension'], ['m03900', 'hypertension'],
    ['diabetes', 'diabetes'], ['糖尿病', 'diabetes'], ['M01600', 'diabetes'],
    ['both', 'both'], ['两病', 'both'], ['高血压,糖尿病', 'both'], ['高血压、糖尿病', 'both'], ['M03900;M01600', 'both'], ['hypertension+diabetes', 'both'], ['高血压,高血压', 'hypertension'],
  ] as const) assert.equal(parseConditions(text), want, text);
  assert.throws(() => parseConditions('哮喘'), /哮喘/);
  assert.throws(() => parseConditions(',,'), /no disease/);
});

test('RosterRowSchema (zod) applies the same rules as the importer', () => {
  const ok = RosterRowSchema.safeParse({ psn_no: 'P1', certno: ID.toLowerCase().replace('x', 'x'), name: '张三', insutype: '居民', conditions: ['高血压', '糖尿病'] });
  assert.ok(ok.success);
  assert.equal(ok.data.insutype, '390');
  assert.equal(ok.data.conditions, 'both');
  assert.equal(ok.data.birth_date, '1956-03-12');
  const bad = RosterRowSchema.safeParse({ psn_no: 'P1', certno: ID, name: '张三', insutype: 391, conditions: 'x', status: 'stopped' });
  assert.ok(!bad.success);
  const paths = bad.error.issues.map((i) => i.path.join('.'));
  assert.deepEqual(paths.sort(), ['conditions', 'insutype']);
  const stop = RosterRowSchema.safeParse({ psn_no: 'P1', certno: ID, name: '张三', insutype: 310, conditions: 'M01600', status: '停止' });
  assert.deepEqual(stop.error?.issues.map((i) => i.path.join('.')), ['stopped_date']);
});

test('CatalogRowSchema and the national code shape (20 or 23, X or Z)', () => {
  assert.ok(isNationalDrugCode('XC08CAA001A001010101001'));
  assert.ok(isNationalDrugCode('ZA01AAA0001010100001'));
  for (const bad of ['XC08CAA001A00101010100', 'YC08CAA001A001010101001', 'XC08CAA001A0010101010011', 'X-08CAA001A001010101001', '']) assert.ok(!isNationalDrugCode(bad), bad);
  const r = CatalogRowSchema.safeParse({ code: 'xc08caa001a001010101001', generic_name: '氨氯地平', vbp: true, vbp_price: 0.15, lists: ['530921', '530900'] });
  assert.ok(r.success);
  assert.equal(r.data.code, 'XC08CAA001A001010101001');
  assert.deepEqual(r.data.lists, ['530900', '530921']);
  assert.ok(!CatalogRowSchema.safeParse({ code: 'XC08CAA001A001010101001', generic_name: 'x', vbp: true }).success, 'VBP needs its price');
});

test('CSV splitter: RFC 4180 quotes, CRLF, blank lines, tabs, unterminated quote, line numbers', () => {
  const recs: CsvRecord[] = [];
  parseCsv('a,b,c\r\n1,"x, y","say ""hi"""\r\n\r\n2,"multi\nline",z\n3,,', (r) => recs.push(r));
  assert.deepEqual(recs.map((r) => [r.line, r.cells]), [
    [1, ['a', 'b', 'c']],
    [2, ['1', 'x, y', 'say "hi"']],
    [4, ['2', 'multi\nline', 'z']],
    [6, ['3', '', '']],
  ]);
  const tabs: CsvRecord[] = [];
  parseCsv('a\tb\n1\t2', (r) => tabs.push(r));
  assert.deepEqual(tabs[1]!.cells, ['1', '2']);
  const open: CsvRecord[] = [];
  parseCsv('a,b\n1,"never closed\n2,3', (r) => open.push(r));
  assert.equal(open[1]!.unterminated, true);
  assert.equal(csvCell('a,"b"'), '"a,""b"""');
  assert.equal(csvCell(null), '');
  // Round trip through csvCell.
  const cells = ['x', 'y,z', 'q"r', 'line\nbreak', ''];
  const back: CsvRecord[] = [];
  parseCsv(cells.map(csvCell).join(','), (r) => back.push(r));
  assert.deepEqual(back[0]!.cells, cells);
});

test('encoding: BOM or valid UTF-8 → utf8, else GB18030; --encoding overrides; unknown names refused', () => {
  const text = '人员编号,姓名\nP1,张三';
  assert.equal(decodeBuffer(Buffer.from(text, 'utf8')).encoding, 'utf8');
  const gbk = iconv.encode(text, 'gbk');
  const d = decodeBuffer(gbk);
  assert.deepEqual([d.encoding, d.text], ['gb18030', text]);
  assert.equal(decodeBuffer(gbk, 'GBK').text, text);
  assert.equal(decodeBuffer(iconv.encode('𠮷', 'gb18030'), 'gb18030').text, '𠮷', 'four-byte GB18030');
  assert.equal(decodeBuffer(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)])).text, text);
  assert.throws(() => decodeBuffer(gbk, 'big5'), /encoding/);
});

test('content hash: stable, sensitive to any change and to the layout suffix', () => {
  assert.equal(contentHash('P1,张三'), contentHash('P1,张三'));
  assert.notEqual(contentHash('P1,张三'), contentHash('P1,张叁'));
  assert.notEqual(contentHash('P1,张三', ':a'), contentHash('P1,张三', ':b'));
  assert.equal(contentHash('').length, 20);
});

test('dates and amounts in bureau files: separators, leap years, canonical money', () => {
  for (const [text, want] of [['2024-02-29', '2024-02-29'], ['2000/2/29', '2000-02-29'], ['20240301', '2024-03-01'], ['2024年3月1日', '2024-03-01'], ['2024-03-01 08:30:00', '2024-03-01']] as const) {
    assert.equal(parseDate(text, 'd', '日期'), want, text);
  }
  for (const bad of ['2023-02-29', '1900-02-29', '2024-13-01', '2024-04-31', '2024-00-10', '24-03-01', 'yesterday']) assert.throws(() => parseDate(bad, 'd', '日期'), /real date/, bad);
  assert.equal(parseMoney('12.5', 'm', '金额'), '12.50');
  assert.equal(parseMoney('007', 'm', '金额'), '7.00');
  assert.equal(parseMoney('1,234.56', 'm', '金额'), '1234.56');
  assert.throws(() => parseMoney('1.234', 'm', '金额'), /at most 2 decimals/);
  assert.throws(() => parseMoney('-1', 'm', '金额'));
});

test('the import fast path for ID numbers never accepts what core/identity rejects', () => {
  const today = new Date().toISOString().slice(0, 10);
  const digits = (n: number) => fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n }).map((a) => a.join(''));
  const candidate = fc.oneof(
    // Well-formed numbers with a correct check character (most pass)…
    fc.tuple(fc.constantFrom('530902', '500101', '110105', '990101', '710000'), fc.integer({ min: 1880, max: 2030 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }), digits(3)).map(([r, y, m, d, seq]) =>
      syntheticCertno(r, `${y}${String(m).padStart(2, '0')}${String(d).padStart(2, '0')}`, Number(seq)),
    ),
    // …and arbitrary 18-character strings (almost all fail).
    fc.tuple(digits(17), fc.constantFrom('0', '1', '5', '9', 'X', 'x')).map(([a, b]) => a + b),
  );
  fc.assert(
    fc.property(candidate, (id) => {
      const fast = isPlainValidCertno(id);
      const full = parseIdNumber(id, today).valid && parseIdNumber(id, today).normalized === id;
      assert.equal(fast, full, id);
    }),
    { numRuns: 3000 },
  );
});
