// Importing bureau roster files: CSV/JSON, UTF-8/GBK, English/Chinese headers, a site column
// mapping, every rejection reason, idempotent re-import, delta stop, --strict rollback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { openDatabase, type DB } from '../../core/store/db.ts';
import { findPatient, countPatients } from '../../core/store/roster.ts';
import { importRosterFile, importRosterText } from '../../core/import/roster.ts';
import { parseMapping } from '../../core/import/mapping.ts';
import { ROSTER_HEADER, rosterCsvRows, syntheticCertno } from '../../core/import/synthetic.ts';
import { usedThisYear } from '../../core/store/ledger.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'lbc-data-import-'));
const open = (): DB => openDatabase(tmp());
const ID1 = syntheticCertno('530902', '19560312', 21);
const ID2 = syntheticCertno('530921', '19601105', 42);
const ID3 = syntheticCertno('500101', '19700101', 7);

const HEADER = 'psn_no,certno,card_no,name,insutype,region,conditions,management_class,flagged_date,flagged_by,status';
const ROWS = [
  `P001,${ID1},K001,张三,390,530902,高血压,,2024-03-01,bureau,active`,
  `P002,${ID2},,李四,居民,530921,"高血压,糖尿病",,2024/3/2,医保推送,正常`,
  `P003,${ID3},K003,王五,310,500101,M01600,2,20240303,卫健推送,active`,
];

test('CSV with English headers: inserts every row, normalising insurance, conditions and dates', () => {
  const db = open();
  const r = importRosterText(db, [HEADER, ...ROWS].join('\n'));
  assert.deepEqual([r.inserted, r.updated, r.unchanged, r.rejected], [3, 0, 0, 0], JSON.stringify(r.rejections));
  const p2 = findPatient(db, { psnNo: 'P002' })!;
  assert.equal(p2.insutype, '390');
  assert.equal(p2.conditions, 'both');
  assert.equal(p2.flagged_date, '2024-03-02');
  assert.equal(p2.flagged_by, 'bureau');
  assert.equal(p2.birth_date, '1960-11-05', 'birth date derived from the ID number');
  const p3 = findPatient(db, { certno: ID3 })!;
  assert.equal(p3.insutype, '310');
  assert.equal(p3.conditions, 'diabetes', 'M01600 is diabetes');
  assert.equal(p3.management_class, 2);
  assert.equal(p3.flagged_by, 'health-commission');
  assert.equal(findPatient(db, { cardNo: 'K001' })!.psn_no, 'P001');
});

test('Chinese headers, GBK bytes detected without --encoding, and --encoding gbk', () => {
  const text = ['人员编号,身份证号,姓名,险种,病种,参保地区划', `P010,${ID1},赵六,城乡居民,两病,530902`, `P011,${ID2},钱七,职工,糖尿病,530921`].join('\r\n');
  const dir = tmp();
  const file = join(dir, 'gbk.csv');
  writeFileSync(file, iconv.encode(text, 'gbk'));
  const db = openDatabase(dir);
  const r = importRosterFile(db, file);
  assert.equal(r.encoding, 'gb18030');
  assert.equal(r.inserted, 2, JSON.stringify(r.rejections));
  assert.equal(findPatient(db, { psnNo: 'P010' })!.name, '赵六');
  assert.equal(findPatient(db, { psnNo: 'P011' })!.insutype, '310');
  const forced = importRosterFile(openDatabase(tmp()), file, { encoding: 'gbk' });
  assert.equal(forced.encoding, 'gbk');
  assert.equal(forced.inserted, 2);
  // UTF-8 with a BOM: the BOM is not part of the first header.
  const bomFile = join(dir, 'bom.csv');
  writeFileSync(bomFile, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]));
  const bom = importRosterFile(openDatabase(tmp()), bomFile);
  assert.equal(bom.encoding, 'utf8');
  assert.equal(bom.inserted, 2);
});

test('JSON import: an array of objects, arrays as lists, numbers as text', () => {
  const db = open();
  const rows = [
    { psn_no: 'J1', certno: ID1, name: '孙八', insutype: 390, conditions: ['hypertension', 'diabetes'], management_class: 2, other_chronic_diseases: 2 },
    { psn_no: 'J2', certno: ID2, name: '周九', insutype: 'employee', conditions: 'diabetes', pool_used: 123.4, pool_used_as_of: '2024-06-30' },
  ];
  const dir = tmp();
  writeFileSync(join(dir, 'r.json'), JSON.stringify(rows));
  const r = importRosterFile(db, join(dir, 'r.json'));
  assert.equal(r.format, 'json');
  assert.equal(r.inserted, 2, JSON.stringify(r.rejections));
  const j1 = findPatient(db, { psnNo: 'J1' })!;
  assert.equal(j1.conditions, 'both');
  assert.equal(j1.other_chronic_diseases, 2);
  const j2 = findPatient(db, { psnNo: 'J2' })!;
  assert.equal(j2.insutype, '310');
  assert.equal(j2.pool_used, '123.40');
  assert.equal(usedThisYear(db, 'J2', '2024-07-01'), '123.40');
});

test('a site column mapping imports a bureau export as it is', () => {
  const db = open();
  const mapping = parseMapping({ columns: { psn_no: '个人电脑号', certno: '公民证件', name: '参保人', insutype: '参保险种', conditions: '慢病种类' } });
  const text = ['个人电脑号,公民证件,参保人,参保险种,慢病种类,备注栏', `M1,${ID1},吴十,390,高血压,无`].join('\n');
  const r = importRosterText(db, text, { mapping });
  assert.equal(r.inserted, 1, JSON.stringify(r.rejections));
  assert.deepEqual(r.ignoredColumns, ['备注栏']);
  assert.equal(findPatient(db, { psnNo: 'M1' })!.name, '吴十');
  // A mapping naming a column the file lacks, or an unknown field, is refused up front.
  assert.throws(() => importRosterText(db, text, { mapping: parseMapping({ columns: { psn_no: '人员编号X' } }) }), /COLUMN|no such column/);
  assert.throws(() => importRosterText(db, text, { mapping: parseMapping({ columns: { shoe_size: '参保人' } }) }), /unknown field/);
  assert.throws(() => parseMapping({ cols: {} }), /mapping/);
});

test('a file without the key column is refused as a whole', () => {
  assert.throws(() => importRosterText(open(), 'name,certno\n张三,1'), (e: Error & { code?: string }) => e.code === 'KEY_COLUMN_MISSING');
});

// Each bad row names its line, field and reason; the good rows still go in.
const BAD: [string, string, string][] = [
  // [row, field, code]
  [`B01,,,张三,390,530902,高血压,,,,`, 'certno', 'REQUIRED'],
  [`B02,${ID1.slice(0, 17)}${ID1[17] === '0' ? '1' : '0'},,张三,390,530902,高血压,,,,`, 'certno', 'CHECK_DIGIT'],
  [`B03,12345,,张三,390,530902,高血压,,,,`, 'certno', 'INVALID_CERTNO'],
  [`B04,${ID1},,张三,391,530902,高血压,,,,`, 'insutype', 'INVALID_VALUE'],
  [`B05,${ID1},,张三,390,5309,高血压,,,,`, 'region', 'INVALID_REGION'],
  [`B06,${ID1},,张三,390,530902,哮喘,,,,`, 'conditions', 'INVALID_CONDITION'],
  [`B07,${ID1},,张三,390,530902,高血压,3,,,`, 'management_class', 'INVALID_VALUE'],
  [`B08,${ID1},,张三,390,530902,高血压,,2024-02-30,,`, 'flagged_date', 'INVALID_DATE'],
  [`B09,${ID1},,张三,390,530902,高血压,,,alien,`, 'flagged_by', 'INVALID_VALUE'],
  [`B10,${ID1},,张三,390,530902,高血压,,,,stopped`, 'stopped_date', 'STOP_WITHOUT_DATE'],
  [`B11,${ID1},,张三,390,530902,高血压,,,,unknown`, 'status', 'INVALID_VALUE'],
  [`B12,${ID1},K 1,张三,390,530902,高血压,,,,`, 'card_no', 'INVALID_CODE'],
  [`B13,${ID1},,${'长'.repeat(51)},390,530902,高血压,,,,`, 'name', 'TOO_LONG'],
  [`B 14,${ID1},,张三,390,530902,高血压,,,,`, 'psn_no', 'INVALID_CODE'],
  [`B15,${ID1},,张三,390,530902,高血压,,,`, '', 'MALFORMED_ROW'],
  [`P001,${ID1},,张三,390,530902,高血压,,,,`, 'psn_no', 'DUPLICATE_IN_FILE'],
];

test('every rejection reason: line, field, code, English and Chinese message; good rows kept', () => {
  const db = open();
  const header = 'psn_no,certno,card_no,name,insutype,region,conditions,management_class,flagged_date,flagged_by,status';
  const lines = [header, `P001,${ID1},,张三,390,530902,高血压,,,,`, ...BAD.map((b) => b[0])];
  const r = importRosterText(db, lines.join('\n'));
  assert.equal(r.inserted, 1);
  assert.equal(r.rejected, BAD.length);
  BAD.forEach(([, field, code], i) => {
    const line = i + 3;
    const found = r.rejections.find((x) => x.line === line);
    assert.ok(found, `line ${line} (${code}) rejected`);
    assert.equal(found.field, field, `line ${line}`);
    assert.equal(found.code, code, `line ${line}: ${found.message}`);
    assert.ok(found.message.length > 0 && /[\u4e00-\u9fff]/.test(found.messageZh), `line ${line} has both languages`);
  });
  assert.equal(countPatients(db), 1);
});

test('more rejection reasons: capitation, pool usage, numbers, months, tokens, amounts, unterminated quote', () => {
  const db = open();
  const header = 'psn_no,certno,name,insutype,conditions,payment_mode,capitation_institution,capitation_start_month,other_chronic_diseases,ec_token,pool_used,pool_used_as_of';
  const cases: [string, string, string][] = [
    [`C1,${ID1},张三,390,高血压,按人头,,,,,,`, 'capitation_institution', 'CAPITATION_WITHOUT_INSTITUTION'],
    [`C2,${ID1},张三,390,高血压,capitation,H53090200001,2024-13,,,,`, 'capitation_start_month', 'INVALID_MONTH'],
    [`C3,${ID1},张三,390,高血压,,,,-1,,,`, 'other_chronic_diseases', 'INVALID_NUMBER'],
    [`C4,${ID1},张三,390,高血压,,,,,a b,,`, 'ec_token', 'INVALID_TOKEN'],
    [`C5,${ID1},张三,390,高血压,,,,,,12.345,2024-06-30`, 'pool_used', 'INVALID_AMOUNT'],
    [`C6,${ID1},张三,390,高血压,,,,,,12.34,`, 'pool_used_as_of', 'POOL_USAGE_INCOMPLETE'],
    [`C7,${ID1},张三,390,高血压,monthly,,,,,,`, 'payment_mode', 'INVALID_VALUE'],
    [`C8,${ID1},"张三,390,高血压,,,,,,,`, '', 'MALFORMED_ROW'],
  ];
  const r = importRosterText(db, [header, ...cases.map((c) => c[0])].join('\n'));
  assert.equal(r.rejected, cases.length);
  cases.forEach(([, field, code], i) => {
    const found = r.rejections.find((x) => x.line === i + 2)!;
    assert.equal(found.code, code, `${code}: ${JSON.stringify(found)}`);
    assert.equal(found.field, field);
  });
});

test('quoted fields: commas, doubled quotes and line breaks inside quotes (RFC 4180), line numbers stay right', () => {
  const db = open();
  const text = ['psn_no,certno,name,insutype,conditions,stopped_reason,status,stopped_date', `Q1,${ID1},"张""三",390,"高血压,糖尿病","迁出
本市",stopped,2024-05-01`, `Q2,${ID2},李四,390,高血压,,bad,`].join('\r\n');
  const r = importRosterText(db, text);
  assert.equal(r.inserted, 1);
  const q1 = findPatient(db, { psnNo: 'Q1' })!;
  assert.equal(q1.name, '张"三');
  assert.equal(q1.conditions, 'both');
  assert.equal(q1.stopped_reason, '迁出\n本市');
  assert.equal(r.rejections[0]!.line, 4, 'the quoted line break counts as a line');
});

test('re-importing the same file changes nothing; a changed row is an update; same content in other words is unchanged', () => {
  const db = open();
  const text = [HEADER, ...ROWS].join('\n');
  importRosterText(db, text);
  const before = db.prepare('SELECT psn_no, updated_at FROM patients ORDER BY psn_no').all();
  const again = importRosterText(db, text, { now: () => new Date('2030-01-01T00:00:00Z') });
  assert.deepEqual([again.inserted, again.updated, again.unchanged, again.rejected], [0, 0, 3, 0]);
  assert.deepEqual(db.prepare('SELECT psn_no, updated_at FROM patients ORDER BY psn_no').all(), before, 'rows not rewritten');
  const changed = importRosterText(db, [HEADER, ROWS[0]!.replace('张三', '张叁'), ROWS[1], ROWS[2]].join('\n'));
  assert.deepEqual([changed.inserted, changed.updated, changed.unchanged], [0, 1, 2]);
  assert.equal(findPatient(db, { psnNo: 'P001' })!.name, '张叁');
  // 居民 for 390, 高血压 as "hypertension", another column order: same content → unchanged.
  const reworded = importRosterText(db, ['name,psn_no,certno,insutype,conditions', `张叁,P001,${ID1},居民,hypertension`].join('\n'));
  assert.deepEqual([reworded.updated, reworded.unchanged], [0, 1]);
});

test('a delta file stops a patient (status, date, reason) and keeps the fields it does not carry', () => {
  const db = open();
  importRosterText(db, [HEADER, ...ROWS].join('\n'));
  const delta = ['人员编号,状态,停止日期,停止原因', 'P002,停止,2024-09-30,转入门诊慢特病'].join('\n');
  const r = importRosterText(db, delta);
  assert.deepEqual([r.inserted, r.updated, r.rejected], [0, 1, 0]);
  const p2 = findPatient(db, { psnNo: 'P002' })!;
  assert.equal(p2.status, 'stopped');
  assert.equal(p2.stopped_date, '2024-09-30');
  assert.equal(p2.stopped_reason, '转入门诊慢特病');
  assert.equal(p2.name, '李四', 'untouched fields stay');
  assert.equal(p2.conditions, 'both');
  // The same delta again: unchanged. A delta for an unknown patient lacks required fields.
  assert.equal(importRosterText(db, delta).unchanged, 1);
  const unknown = importRosterText(db, ['人员编号,状态,停止日期', 'P999,停止,2024-09-30'].join('\n'));
  assert.equal(unknown.rejected, 1);
  assert.equal(unknown.rejections[0]!.code, 'REQUIRED');
  // Re-activation clears the stop.
  importRosterText(db, ['psn_no,status', 'P002,active'].join('\n'));
  const back = findPatient(db, { psnNo: 'P002' })!;
  assert.deepEqual([back.status, back.stopped_date, back.stopped_reason], ['active', null, null]);
});

test('--strict: one bad row rolls back the whole file; without it the good rows stay', () => {
  const db = open();
  importRosterText(db, [HEADER, ROWS[0]].join('\n'));
  const text = [HEADER, ROWS[0]!.replace('张三', '张叁'), ROWS[1], `BAD,${ID1},,x,999,530902,高血压,,,,`].join('\n');
  const strict = importRosterText(db, text, { strict: true });
  assert.equal(strict.rolledBack, true);
  assert.equal(strict.rejected, 1);
  assert.deepEqual([strict.inserted, strict.updated], [0, 0]);
  assert.equal(countPatients(db), 1);
  assert.equal(findPatient(db, { psnNo: 'P001' })!.name, '张三', 'the update was rolled back too');
  const lenient = importRosterText(db, text);
  assert.deepEqual([lenient.inserted, lenient.updated, lenient.rejected, lenient.rolledBack], [1, 1, 1, false]);
  // Strict on an empty table (bulk path) also leaves it empty and its indexes in place.
  const empty = open();
  assert.equal(importRosterText(empty, text, { strict: true }).rolledBack, true);
  assert.equal(countPatients(empty), 0);
  const idx = empty.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'index' AND tbl_name = 'patients' AND name LIKE 'patients_%'").get() as { n: number };
  assert.equal(idx.n, 3);
});

test('a first load (empty table) rebuilds the indexes and still refuses a repeated psn_no', () => {
  const db = open();
  const r = importRosterText(db, [HEADER, ROWS[0], ROWS[1], ROWS[0]].join('\n'));
  assert.deepEqual([r.inserted, r.rejected], [2, 1]);
  assert.equal(r.rejections[0]!.code, 'DUPLICATE_IN_FILE');
  const plan = db.prepare('EXPLAIN QUERY PLAN SELECT * FROM patients WHERE card_no = ?').all('K001') as { detail: string }[];
  assert.match(plan.map((p) => p.detail).join(' '), /patients_card_no/);
});

test('progress is reported while importing', () => {
  const db = open();
  const lines = [HEADER];
  for (let i = 0; i < 45000; i++) lines.push(`X${i},${syntheticCertno('530902', '19500101', i)},,张三,390,530902,高血压,,,,`);
  const seen: number[] = [];
  const r = importRosterText(db, lines.join('\n'), { onProgress: (p) => seen.push(p.fraction) });
  assert.equal(r.inserted, 45000, JSON.stringify(r.rejections.slice(0, 2)));
  assert.ok(seen.length >= 2 && seen.every((f, i) => f > 0 && f <= 1 && (i === 0 || f >= seen[i - 1]!)));
});

test('an ID number on file twice (re-numbered by the bureau): the active row is found', () => {
  const db = open();
  importRosterText(db, [HEADER, `OLD1,${ID1},,张三,390,530902,高血压,,,,active`, ROWS[0]!.replace('P001', 'NEW1')].join('\n'));
  importRosterText(db, ['psn_no,status,stopped_date,stopped_reason', 'OLD1,stopped,2024-05-01,人员编号变更'].join('\n'));
  assert.equal(findPatient(db, { certno: ID1 })!.psn_no, 'NEW1');
});

test('a pool-usage delta (psn_no, pool_used, pool_used_as_of) updates the bureau figure the ledger starts from', () => {
  const db = open();
  importRosterText(db, [HEADER, ...ROWS].join('\n'));
  assert.equal(usedThisYear(db, 'P001', '2024-07-01'), '0.00');
  const r = importRosterText(db, ['人员编号,本年统筹已支付,统筹支付截止日期', 'P001,88.8,2024-06-30'].join('\n'));
  assert.deepEqual([r.updated, r.rejected], [1, 0]);
  assert.equal(usedThisYear(db, 'P001', '2024-07-01'), '88.80');
  assert.equal(findPatient(db, { psnNo: 'P001' })!.name, '张三');
  // A later file saying nothing is reported any more (blank cells) clears it.
  importRosterText(db, ['psn_no,pool_used,pool_used_as_of', 'P001,,'].join('\n'));
  assert.equal(usedThisYear(db, 'P001', '2024-07-01'), '0.00');
});

test('a first load writes the bureau pool figure of every row that has one (batched), and none for a repeated psn_no', () => {
  const db = open();
  // 130 patients (three batches, the last one partial), every fourth with a pool figure; then one row again.
  const lines = [ROSTER_HEADER, rosterCsvRows(0, 130), rosterCsvRows(8, 9).replace(/,[\d.]+,2024-06-30$/, ',999.00,2024-06-30')];
  const file = join(tmp(), 'roster.csv');
  writeFileSync(file, lines.join('\n') + '\n');
  const r = importRosterFile(db, file, { parallel: false });
  assert.equal(r.inserted, 130);
  assert.deepEqual(r.rejections.map((x) => x.code), ['DUPLICATE_IN_FILE']);
  const reports = db.prepare('SELECT psn_no, amount_fen, as_of FROM pool_reports ORDER BY psn_no').all() as { psn_no: string; amount_fen: number; as_of: string }[];
  const expected = Array.from({ length: 130 }, (_, i) => i).filter((i) => i % 4 === 0);
  assert.deepEqual(reports.map((x) => x.psn_no), expected.map((i) => `53${String(i).padStart(14, '0')}`));
  // i = 8: 8.5 yuan as the first row said, not the repeated row's 999.00.
  assert.deepEqual(reports.find((x) => x.psn_no === `53${String(8).padStart(14, '0')}`), { psn_no: `53${String(8).padStart(14, '0')}`, amount_fen: 850, as_of: '2024-06-30' });
});
