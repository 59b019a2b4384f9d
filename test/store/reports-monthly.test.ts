// The reports against hand-computed figures: a month of real settlements (settle() and reverse())
// across all four institution columns, residents and employees, in Ezhou (residents 50%,
// employees 60%: seed 003 §二.(一).3), plus roster flags, a counter change filing and overrides.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { QuoteRequestSchema } from '../../core/contract/quote.ts';
import { loadPolicyBook, quote } from '../../core/policy/index.ts';
import { settle } from '../../core/settlement/settle.ts';
import { reverse } from '../../core/settlement/reverse.ts';
import { buildReport, render, toCsv } from '../../core/reports/index.ts';
import { fileAtCounter } from '../../core/filing/index.ts';
import { overrideBlock, recordDispensing } from '../../core/supervision/index.ts';
import type { DB } from '../../core/store/db.ts';
import { addPatient, withDb, withDbAsync } from '../helpers/store-fixtures.ts';
import { insertVariance } from '../../core/store/outbox.ts';

const book = loadPolicyBook();
type Col = 'level1' | 'level2' | 'level3' | 'pharmacy';
const INST: Record<Col, { code: string; type: 'clinic' | 'pharmacy'; level: 1 | 2 | 3; name: string }> = {
  level1: { code: 'H42070000001', type: 'clinic', level: 1, name: '某镇卫生院' },
  level2: { code: 'H42070000002', type: 'clinic', level: 2, name: '某区人民医院' },
  level3: { code: 'H42070000003', type: 'clinic', level: 3, name: '某市中心医院' },
  pharmacy: { code: 'P42070000004', type: 'pharmacy', level: 1, name: '某大药房' },
};
const DRUG = {
  amlo: { code: 'XC08CAA046A001010100483', name: '苯磺酸氨氯地平片', generic: '氨氯地平', category: 'antihypertensive' },
  metf: { code: 'XA10BAE053A001010101234', name: '盐酸二甲双胍片', generic: '二甲双胍', category: 'antidiabetic' },
  asp: { code: 'XB01ACA056A001010105678', name: '阿司匹林肠溶片', generic: '阿司匹林', category: 'other' },
} as const;

function catalog(db: DB) {
  const stmt = db.prepare(`INSERT INTO catalog (code, generic_name, category, content_hash, updated_at) VALUES (?, ?, ?, 'test', 'now')`);
  for (const d of Object.values(DRUG)) stmt.run(d.code, d.generic, d.category);
}

let seq = 0;
function sale(db: DB, o: { psn: string; insurance: 'resident' | 'employee'; conditions: ('hypertension' | 'diabetes')[]; at: Col; date: string; lines: [keyof typeof DRUG, string, string][] }) {
  const inst = INST[o.at];
  const request = QuoteRequestSchema.parse({
    policy: 'ezhou',
    date: o.date,
    institution: { type: inst.type, level: inst.level, code: inst.code },
    patient: { insurance: o.insurance, conditions: o.conditions, otherChronicDiseases: 0 },
    usedThisYear: '0.00',
    lines: o.lines.map(([, price, qty], i) => ({ id: `l${i}`, kind: 'drug', listed: true, vbp: false, price, quantity: qty })),
  });
  seq += 1;
  return settle(
    db,
    {
      requestId: null,
      request,
      result: quote(book, request),
      patient: { psnNo: o.psn, certType: '02', certNo: '11010519491231002X', certno: '11010519491231002X', name: '测试', insutype: o.insurance === 'employee' ? '310' : '390', insuplcAdmdvs: '420700' },
      institution: { code: inst.code, name: inst.name, type: inst.type, level: inst.level, region: '420700' },
      operator: { id: 'op1', name: '李药师' },
      lines: o.lines.map(([d], i) => ({ lineId: `l${i}`, code: DRUG[d].code, name: DRUG[d].name })),
    },
    { now: new Date(`${o.date}T09:00:${String(seq % 60).padStart(2, '0')}Z`) },
  );
}

/** The month: see the expected figures in each test. */
function march(db: DB) {
  catalog(db);
  addPatient(db, { psn_no: 'R1', insutype: '390', conditions: 'hypertension', flagged_date: '2024-01-01' });
  addPatient(db, { psn_no: 'R2', insutype: '390', conditions: 'diabetes', flagged_date: '2025-03-10' });
  addPatient(db, { psn_no: 'R3', insutype: '390', conditions: 'both', flagged_date: '2025-03-02' });
  addPatient(db, { psn_no: 'R4', insutype: '390', conditions: 'hypertension', flagged_date: '2024-06-01' });
  addPatient(db, { psn_no: 'R5', insutype: '390', conditions: 'hypertension', status: 'stopped', stopped_date: '2025-02-15' });
  addPatient(db, { psn_no: 'R6', insutype: '390', conditions: 'diabetes', flagged_date: '2025-04-02' });
  addPatient(db, { psn_no: 'R7', insutype: '390', conditions: 'hypertension', chronic_disease_since: '2025-01-01' });
  addPatient(db, { psn_no: 'E1', insutype: '310', conditions: 'diabetes', flagged_date: '2023-05-01' });
  addPatient(db, { psn_no: 'E2', insutype: '310', conditions: 'hypertension', flagged_date: '2025-03-20' });
  // R4 gains diabetes by a counter change filing in March.
  fileAtCounter(db, {
    request: { kind: 'change', psnNo: 'R4', date: '2025-03-15', doctor: { name: '王医生' }, reason: 'new-disease', conditions: ['hypertension', 'diabetes'] },
    institution: { code: INST.level1.code, name: INST.level1.name, type: 'clinic', level: 1, policy: 'ezhou', isPublic: true },
    operator: { id: 'op1', name: '王医生' },
  });
  sale(db, { psn: 'R1', insurance: 'resident', conditions: ['hypertension'], at: 'level1', date: '2025-03-03', lines: [['amlo', '10.00', '3']] }); // 30.00 / 15.00
  const r2 = sale(db, { psn: 'R2', insurance: 'resident', conditions: ['diabetes'], at: 'level2', date: '2025-03-11', lines: [['metf', '20.00', '2']] }); // 40.00 / 20.00
  sale(db, { psn: 'R3', insurance: 'resident', conditions: ['hypertension', 'diabetes'], at: 'level3', date: '2025-03-12', lines: [['amlo', '5.00', '4'], ['metf', '8.00', '5']] }); // 20/10 + 40/20
  sale(db, { psn: 'R4', insurance: 'resident', conditions: ['hypertension'], at: 'pharmacy', date: '2025-03-13', lines: [['amlo', '12.50', '2']] }); // 25.00 / 12.50
  sale(db, { psn: 'R3', insurance: 'resident', conditions: ['hypertension', 'diabetes'], at: 'pharmacy', date: '2025-03-14', lines: [['asp', '6.00', '1']] }); // 6.00 / 3.00, no single disease
  const undone = sale(db, { psn: 'R1', insurance: 'resident', conditions: ['hypertension'], at: 'pharmacy', date: '2025-03-20', lines: [['amlo', '10.00', '1']] }); // 10/5, reversed
  reverse(db, { settlementId: undone.id, operator: { id: 'op1', name: '李药师' }, reason: '患者退药' }, { now: new Date('2025-03-20T10:00:00Z') });
  sale(db, { psn: 'R1', insurance: 'resident', conditions: ['hypertension'], at: 'level1', date: '2025-04-01', lines: [['amlo', '10.00', '9']] }); // April: not in March
  sale(db, { psn: 'E1', insurance: 'employee', conditions: ['diabetes'], at: 'level1', date: '2025-03-05', lines: [['metf', '20.00', '3']] }); // 60.00 / 36.00
  sale(db, { psn: 'E2', insurance: 'employee', conditions: ['hypertension'], at: 'pharmacy', date: '2025-03-21', lines: [['amlo', '15.00', '2']] }); // 30.00 / 18.00
  return { r2 };
}

const NOW = new Date('2025-04-05T08:00:00Z');
const pick = (row: Record<string, string | number>, keys: string[]) => keys.map((k) => row[k]);
const MONEY = ['level1Cost', 'level1Fund', 'level2Cost', 'level2Fund', 'level3Cost', 'level3Fund', 'pharmacyCost', 'pharmacyFund', 'totalCost', 'totalFund'];

test('residents (seed 003 附件4): counts and money by disease and institution column', () => {
  withDb((db) => {
    march(db);
    const doc = buildReport(db, 'monthly-residents', '2025-03', NOW);
    const [ht, dm, total] = doc.tables[0]!.rows as Record<string, string | number>[];
    // Insured: R1, R3, R4 (HT); R2, R3, R4 (DM); R5 stopped before March, R6 flagged in April, R7 under chronic-disease benefits.
    assert.deepEqual(pick(ht!, ['disease', 'insured', 'filed']), ['高血压', 3, 1]);
    assert.deepEqual(pick(dm!, ['disease', 'insured', 'filed']), ['糖尿病', 3, 3]);
    assert.deepEqual(pick(total!, ['disease', 'insured', 'filed']), ['合计', 4, 3]);
    assert.deepEqual(pick(ht!, MONEY), ['30.00', '15.00', '0.00', '0.00', '20.00', '10.00', '25.00', '12.50', '75.00', '37.50']);
    assert.deepEqual(pick(dm!, MONEY), ['0.00', '0.00', '40.00', '20.00', '40.00', '20.00', '0.00', '0.00', '80.00', '40.00']);
    assert.deepEqual(pick(total!, MONEY), ['30.00', '15.00', '40.00', '20.00', '60.00', '30.00', '31.00', '15.50', '161.00', '80.50']);
    assert.ok(doc.notes.some((n) => n.includes('6.00')), 'the aspirin of a both-disease patient is named as total-only');
    assert.deepEqual(doc.chart?.series.map((s) => s.values), [['30.00', '40.00', '60.00', '31.00'], ['15.00', '20.00', '30.00', '15.50']]);
  });
});

test('employees (seed 003 附件5): only 310 settlements and patients', () => {
  withDb((db) => {
    march(db);
    const [ht, dm, total] = buildReport(db, 'monthly-employees', '2025-03', NOW).tables[0]!.rows as Record<string, string | number>[];
    assert.deepEqual(pick(ht!, ['insured', 'filed', 'pharmacyCost', 'pharmacyFund', 'totalCost', 'totalFund']), [1, 1, '30.00', '18.00', '30.00', '18.00']);
    assert.deepEqual(pick(dm!, ['insured', 'filed', 'level1Cost', 'level1Fund', 'totalCost', 'totalFund']), [1, 0, '60.00', '36.00', '60.00', '36.00']);
    assert.deepEqual(pick(total!, ['insured', 'filed', 'totalCost', 'totalFund']), [2, 1, '90.00', '54.00']);
  });
});

test('statistics (seed 000 §二.(五).12): people benefiting, costs and fund paid by scheme and disease', () => {
  withDb((db) => {
    march(db);
    const doc = buildReport(db, 'statistics', '2025-03', NOW);
    const rows = doc.tables[0]!.rows as Record<string, string | number>[];
    const two = rows.filter((r) => r.scheme === '“两病”用药专项保障');
    const chronic = rows.filter((r) => r.scheme === '门诊慢特病待遇');
    const cols = ['disease', 'enrolled', 'benefiting', 'visits', 'cost', 'inScope', 'fund'];
    // Enrolled (all insurances): HT R1 R3 R4 E2 = 4, DM R2 R3 R4 E1 = 4, total 6 people (R3, R4 have both).
    assert.deepEqual(pick(two[0]!, cols), ['高血压', 4, 4, 4, '105.00', '105.00', '55.50']);
    assert.deepEqual(pick(two[1]!, cols), ['糖尿病', 4, 3, 3, '140.00', '140.00', '76.00']);
    assert.deepEqual(pick(two[2]!, cols), ['小计', 6, 6, 7, '251.00', '251.00', '134.50']);
    assert.deepEqual(pick(chronic[0]!, cols), ['高血压', 1, 0, 0, '0.00', '0.00', '0.00']);
    assert.equal(doc.summary['待遇享受人数'], 6);
    assert.equal(doc.summary['基金支付合计'], '134.50');
    // The chart runs January to March; April's sale is not in it.
    assert.deepEqual(doc.chart?.series[0]!.values, ['0.00', '0.00', '134.50']);
  });
});

test('people (seed 003 附件6): managed people by disease, both schemes, both insurances', () => {
  withDb((db) => {
    march(db);
    const doc = buildReport(db, 'people', '2025-03', NOW);
    // HT: R1 R3 R4 R7 E2 = 5; DM: R2 R3 R4 E1 = 4; people: R1 R2 R3 R4 R7 E1 E2 = 7.
    assert.deepEqual(pick(doc.tables[0]!.rows[0]!, ['no', 'hypertension', 'diabetes', 'total']), [1, 5, 4, 7]);
    assert.equal(doc.tables[0]!.rows[1]!.unit, '合计');
  });
});

test('statistics chart: fund per month against Σ annual caps ÷ 12 under the site policy (Ezhou caps, seed 003 §二.(一).3)', () => {
  withDb((db) => {
    march(db);
    db.prepare(`INSERT INTO settings (key, value, updated_at) VALUES ('institution.policy', 'ezhou', 'now')`).run();
    const doc = buildReport(db, 'statistics', '2025-03', NOW);
    // R1 400 + R2 400 + R3 600 (both) + R4 600 (both since the change filing) + E1 1400 + E2 1400 = 4800.
    assert.equal(doc.summary['年度支付限额合计'], '4800.00');
    assert.equal(doc.summary['限额覆盖人数'], 6);
    assert.deepEqual(doc.chart?.reference, { label: '限额月均（年度支付限额合计÷12）', value: '400.00' });
  });
});

test('overrides and variances reports list the month’s records', () => {
  withDb((db) => {
    march(db);
    const line = { id: 'L1', code: DRUG.amlo.code, genericName: '氨氯地平', quantity: '1', packageSize: '28', dailyDose: '1' };
    recordDispensing(db, { settlementId: 'S-x', psnNo: 'R1', date: '2025-03-03', institution: null, lines: [line] });
    overrideBlock(db, book, { sale: { policy: 'ezhou', psnNo: 'R1', date: '2025-03-10', lines: [line] }, lineId: 'L1', rule: 'EARLY_REFILL', reason: '外出务工需提前配药', operator: { id: 'ph', name: '李药师', role: 'pharmacist' } });
    const ov = buildReport(db, 'overrides', '2025-03', NOW);
    assert.equal(ov.tables[0]!.rows.length, 1);
    assert.deepEqual(pick(ov.tables[0]!.rows[0]!, ['date', 'psnNo', 'rule', 'detail', 'reason']), ['2025-03-10', 'R1', '提前重复开药', '剩余21天，2025-03-16起可配', '外出务工需提前配药']);
    assert.equal(buildReport(db, 'overrides', '2025-04', NOW).tables[0]!.rows.length, 0);
    const va = buildReport(db, 'variances', '2025-03', NOW);
    assert.equal(va.summary['差异条数'], 0);
    // Nothing uploaded yet: the month's records wait in the outbox (the reversal cancelled its never-sent sale).
    const states = Object.fromEntries(va.tables[1]!.rows.map((r) => [r.status, r.count]));
    assert.equal(states['待上传'], 7, 'upload states in words, not codes');
  });
});

test('variances report: the platform paid 0.50 less on R2’s sale; rows, affected settlements and the fund difference', () => {
  withDb((db) => {
    const { r2 } = march(db);
    const v = (field: string, local: string, platform: string, difference: string, scope: 'settlement' | 'line' = 'settlement', line = '') =>
      insertVariance(db, { id: `v-${field}-${scope}`, settlement_id: r2.id, scope, line_ref: line, field, local_value: local, platform_value: platform, difference, settle_date: '2025-03-11', created_at: '2025-03-11T10:00:00Z' });
    v('fund_pay_sumamt', '20.00', '19.50', '-0.50');
    v('psn_part_amt', '20.00', '20.50', '0.50');
    v('fund', '20.00', '19.50', '-0.50', 'line', '1');
    const doc = buildReport(db, 'variances', '2025-03', NOW);
    assert.equal(doc.tables[0]!.rows.length, 3);
    assert.deepEqual(doc.summary, { 差异条数: 3, 涉及结算: 1, 基金支付差额合计: '-0.50' });
    // Fields as the bureau names them, not the platform's codes.
    assert.deepEqual(doc.tables[0]!.rows.map((r) => r.field).sort(), ['个人负担总额', '基金支付', '基金支付总额']);
    const row = doc.tables[0]!.rows.find((r) => r.field === '基金支付总额')!;
    assert.deepEqual(pick(row, ['date', 'receiptNo', 'scope', 'local', 'platform', 'difference']), ['2025-03-11', r2.receiptNo, '整单', '20.00', '19.50', '-0.50']);
    assert.equal(buildReport(db, 'variances', '2025-02', NOW).tables[0]!.rows.length, 0);
  });
});

test('formats: csv (BOM, grouped header), xlsx (numbers), html (chart), unknown names and months refused', async () => {
  await withDbAsync(async (db) => {
    march(db);
    const doc = buildReport(db, 'monthly-residents', '2025-03', NOW);
    const csv = toCsv(doc);
    assert.ok(csv.startsWith('\uFEFF'));
    assert.match(csv, /一级及以下医疗机构,一级及以下医疗机构,二级医疗机构/);
    assert.match(csv, /合计,4,3,30\.00,15\.00,40\.00,20\.00,60\.00,30\.00,31\.00,15\.50,161\.00,80\.50/);
    const dir = mkdtempSync(join(tmpdir(), 'lbc-xlsx-'));
    try {
      const file = join(dir, 'r.xlsx');
      writeFileSync(file, await render(doc, 'xlsx'));
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(readFileSync(file) as unknown as ArrayBuffer);
      const ws = wb.worksheets[0]!;
      const values: unknown[][] = [];
      ws.eachRow((r) => values.push((r.values as unknown[]).slice(1)));
      const totalRow = values.find((v) => v[0] === '合计')!;
      assert.deepEqual(totalRow.slice(1), [4, 3, 30, 15, 40, 20, 60, 30, 31, 15.5, 161, 80.5]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const html = (await render(doc, 'html')).toString('utf8');
    assert.match(html, /<svg[^>]+aria-label="各级机构医疗费与报销额"/);
    assert.match(html, /城乡居民医保“两病”门诊用药保障和健康管理月报表/);
    assert.throws(() => buildReport(db, 'nope', '2025-03'), /unknown report/);
    assert.throws(() => buildReport(db, 'statistics', '2025-3'), /yyyy-MM/);
  });
});
