// The bureau's form in Excel (鄂州医保发〔2022〕76号 附件4/5): A4 landscape fitted to the width,
// a two-row header (group headings over their columns, ungrouped headings spanning both rows),
// the 填报单位 / 填报人 / 审核人 / 填报日期 line at the foot; and chart axes with round ticks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import { chartSvg, niceScale, toXlsx } from '../../core/reports/render.ts';
import type { ReportDoc } from '../../core/reports/model.ts';
import { monthlyTable as monthly } from '../../core/reports/monthly.ts';


function doc(): ReportDoc {
  const { table } = monthly({ settlements: [], insured: { hypertension: 3, diabetes: 2, total: 4 }, filed: { hypertension: 1, diabetes: 0, total: 1 } });
  return {
    name: 'monthly-residents',
    title: 't',
    titleZh: '城乡居民医保“两病”门诊用药保障和健康管理月报表',
    period: { month: '2025-03', from: '2025-03-01', to: '2025-03-31' },
    institution: { code: 'H1', name: '某镇卫生院' },
    generatedAt: '2025-04-01T00:00:00Z',
    tables: [table],
    summary: {},
    notes: ['一条说明'],
  };
}

test('xlsx: landscape A4 fitted to one page wide, two-row merged header, sign-off line at the foot', async () => {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load((await toXlsx(doc())) as unknown as ArrayBuffer);
  const ws = wb.worksheets[0]!;
  assert.equal(ws.pageSetup.orientation, 'landscape');
  assert.equal(ws.pageSetup.paperSize, 9, 'A4');
  assert.equal(ws.pageSetup.fitToWidth, 1);
  // Row 3 the group headings, row 4 the column headings under them.
  const top = ws.getRow(3);
  const second = ws.getRow(4);
  assert.equal(top.getCell(1).value, '疾病病种');
  assert.equal(ws.getCell('A4').isMerged, true, '疾病病种 spans both header rows');
  assert.equal((ws.getCell('A4').master as ExcelJS.Cell).address, 'A3');
  assert.equal(top.getCell(4).value, '一级及以下医疗机构');
  assert.equal((ws.getCell('E3').master as ExcelJS.Cell).address, 'D3', 'the group heading spans its two columns');
  assert.equal(second.getCell(4).value, '医疗费');
  assert.equal(second.getCell(5).value, '报销额');
  assert.equal(ws.getCell('D4').isMerged, false);
  // Title merged across the table.
  assert.equal((ws.getCell('L1').master as ExcelJS.Cell).address, 'A1');
  // The last row: 填报单位 (with the unit), 填报人, 审核人, 填报日期 spread over the width.
  const last = ws.getRow(ws.rowCount).values as (string | undefined)[];
  const texts = last.filter((v): v is string => typeof v === 'string');
  assert.deepEqual(texts, ['填报单位：某镇卫生院', '填报人：', '审核人：', '填报日期：']);
});

test('chart axes have round ticks (1, 2, 2.5 or 5 × 10ⁿ) up to at least the largest bar', () => {
  assert.deepEqual(niceScale(720).ticks, [0, 200, 400, 600, 800]);
  assert.deepEqual(niceScale(134.5).ticks, [0, 50, 100, 150]);
  assert.deepEqual(niceScale(0.37).ticks, [0, 0.1, 0.2, 0.3, 0.4]);
  assert.deepEqual(niceScale(4800).ticks, [0, 1000, 2000, 3000, 4000, 5000]);
  const svg = chartSvg({ title: 't', titleZh: '图', categories: ['1月'], series: [{ name: '基金', values: ['720.00'] }] });
  const labels = [...svg.matchAll(/<text x="[\d.]+" y="[\d.]+" text-anchor="end" font-size="10">([^<]+)<\/text>/g)].map((m) => m[1]);
  assert.deepEqual(labels, ['0', '200', '400', '600', '800']);
  const small = chartSvg({ title: 't', titleZh: '图', categories: ['1月'], series: [{ name: '基金', values: ['12.60'] }] });
  assert.ok([...small.matchAll(/font-size="10">([\d.]+)<\/text>/g)].every((m) => Number(m[1]) % 2.5 === 0));
});
