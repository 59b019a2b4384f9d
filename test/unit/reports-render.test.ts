// Report rendering without a database: CSV quoting, the grouped header, the chart drawn to scale,
// and PDF through Chromium (or the clear error when there is none).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chartSvg, findChromium, toCsv, toHtml, toPdf, monthlyTable, lineDisease, institutionColumn, type ReportDoc } from '../../core/reports/index.ts';
import { InputError } from '../../core/contract/problems.ts';

const doc = (over: Partial<ReportDoc> = {}): ReportDoc => ({
  name: 'test',
  title: 'Test',
  titleZh: '测试报表',
  period: { month: '2025-03', from: '2025-03-01', to: '2025-03-31' },
  institution: { code: 'H1', name: '某"卫生院",一' },
  generatedAt: '2025-04-01T00:00:00.000Z',
  tables: [{ id: 't', title: 't', titleZh: '表', columns: [{ key: 'a', label: 'a', labelZh: '甲', type: 'text' }, { key: 'b', label: 'b', labelZh: '乙', type: 'money' }], rows: [{ a: 'x,"y"\nz', b: '1.50' }] }],
  summary: {},
  notes: [],
  ...over,
});

test('CSV quotes commas, quotes and newlines and starts with a BOM', () => {
  const csv = toCsv(doc());
  assert.ok(csv.startsWith('\uFEFF测试报表\r\n'));
  assert.match(csv, /填报单位,"某""卫生院"",一"/);
  assert.match(csv, /"x,""y""\nz",1\.50/);
});

test('institution columns: pharmacies whatever their level, clinics by level (level 0/1 → 一级及以下)', () => {
  assert.equal(institutionColumn('pharmacy', 3), 'pharmacy');
  assert.equal(institutionColumn('clinic', 1), 'level1');
  assert.equal(institutionColumn('clinic', 2), 'level2');
  assert.equal(institutionColumn('clinic', 3), 'level3');
});

test('line attribution: drug category first, then the single condition, else total only', () => {
  const l = (category: 'antihypertensive' | 'antidiabetic' | 'other' | null) => ({ total: '1', inScope: '1', fund: '1', category, kind: 'drug' as const });
  assert.equal(lineDisease(l('antidiabetic'), ['hypertension']), 'diabetes');
  assert.equal(lineDisease(l('other'), ['hypertension']), 'hypertension');
  assert.equal(lineDisease(l(null), ['hypertension', 'diabetes']), null);
  assert.equal(lineDisease(l('antihypertensive'), ['hypertension', 'diabetes']), 'hypertension');
});

test('monthly table: the total row adds every line; reversals (negative records) net out', () => {
  const s = (kind: 'sale' | 'reversal', total: string, fund: string, type: 'clinic' | 'pharmacy', level: number) => ({
    id: kind + total, kind, originalId: null, date: '2025-03-01', institutionType: type, institutionLevel: level, psnNo: 'P', insutype: '390', conditions: ['hypertension' as const], chronicDiseaseSince: null,
    total, inScope: total, fund, lines: [{ total, inScope: total, fund, category: 'antihypertensive' as const, kind: 'drug' as const }],
  });
  const { table, totals } = monthlyTable({ settlements: [s('sale', '10.00', '9.00', 'pharmacy', 1), s('reversal', '-10.00', '-9.00', 'pharmacy', 1), s('sale', '3.33', '1.67', 'clinic', 2)], insured: { hypertension: 1, diabetes: 0, total: 1 }, filed: { hypertension: 0, diabetes: 0, total: 0 } });
  assert.equal(table.rows[0]!.pharmacyCost, '0.00');
  assert.equal(table.rows[0]!.level2Fund, '1.67');
  assert.deepEqual(totals, { cost: '3.33', fund: '1.67' });
});

test('the chart draws bars to scale and the reference line', () => {
  const svg = chartSvg({ title: 't', titleZh: '图', categories: ['1月', '2月'], series: [{ name: '基金', values: ['100.00', '50.00'] }], reference: { label: '预算', value: '200.00' } });
  const heights = [...svg.matchAll(/<rect x="[\d.]+" y="[\d.]+" width="[\d.]+" height="([\d.]+)" fill="[^"]+"><title>/g)].map((m) => Number(m[1]));
  assert.equal(heights.length, 2);
  assert.ok(Math.abs(heights[0]! / heights[1]! - 2) < 1e-9, 'bar heights are proportional to the values');
  assert.match(svg, /stroke-dasharray/);
  assert.match(svg, /预算：200\.00/);
  assert.match(toHtml(doc({ chart: { title: 't', titleZh: '图表', categories: ['a'], series: [{ name: 's', values: ['1'] }] } })), /<svg/);
});

test('PDF: a clear error without Chromium; a real PDF with it', async () => {
  await assert.rejects(toPdf(doc(), null), (e: InputError) => e.code === 'NO_CHROMIUM' && /apt-get install chromium/.test(e.message));
  const chromium = findChromium();
  if (!chromium) return; // machines without Chromium: the error above is what users get
  const pdf = await toPdf(doc(), chromium);
  assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
  assert.ok(pdf.length > 1000);
});
