// Printed documents: every field of the continuous prescription (seed 003 附件3), the receipt,
// reprint marking, layouts and escaping.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  PAGE_SIZES,
  PRESCRIPTION_CONSENT,
  PRESCRIPTION_COPIES,
  PRESCRIPTION_NOTES,
  renderDrugList,
  renderPrescription,
  renderPublicList,
  renderReceipt,
  type PrescriptionFacts,
  type PrintSettlement,
} from '../../core/print/templates.ts';

const inst = { code: 'H42070200001', name: '鄂州市百姓大药房', typeZh: '定点零售药店' };
const sale: PrintSettlement = {
  id: '01a2-uuid',
  receiptNo: 'S2026112400007',
  kind: 'sale',
  reverses: null,
  createdAt: '2026-11-24T02:00:00.000Z',
  date: '2026-11-24',
  operator: { id: 'yaoshi', name: '王药师', role: '药师' },
  patient: { psnNo: 'P1', nameMasked: '周*生', certnoMasked: '4207**********0412', insuranceZh: '职工医保', conditionsZh: '高血压' },
  policy: { id: 'ezhou', name: '鄂州市', version: '2023-01-01' },
  total: '11.10',
  fund: '6.66',
  patientPays: '4.44',
  capLeft: '293.34',
  lines: [
    { lineId: 'a', code: 'X1', name: '氨氯地平片', spec: '5mg×28片', quantity: '1', price: '6.30', total: '6.30', fund: '3.78', patient: '2.52' },
    { lineId: 'b', code: 'X2', name: '二甲双胍片<script>', spec: null, quantity: '1', price: '4.80', total: '4.80', fund: '2.88', patient: '1.92' },
  ],
};
const rx: PrescriptionFacts = {
  name: '周福生', gender: '男', age: 77, personTypeZh: '职工医保', outpatientNo: 'MZ001', department: '全科', address: '梁子湖区太和镇', phone: '13800000000',
  diagnosis: '高血压', doctor: '刘医生', cashier: '李收费', dispenser: '王药师', reviewer: '赵药师', consent: true,
};

test('seed 003 附件3: the continuous prescription carries every field, the three notes, the consent line and two copies', () => {
  const { html, pageSize } = renderPrescription(sale, inst, rx, 1, 'a5');
  assert.deepEqual(pageSize, { widthMm: 148, heightMm: 210 });
  assert.match(html, /（鄂州市百姓大药房）慢性病用药连续（外配）处方/);
  const labels = ['姓名', '性别', '年龄', '人员类别', '门诊号', '科别', '地址', '电话', '临床诊断', '开方日期', '医　生', '收　费', '配药药师', '（机构）盖　章', '复核药师', '处方申请人'];
  for (const label of labels) assert.ok(html.includes(label), `missing field ${label}`);
  for (const value of ['周福生', '77', 'MZ001', '梁子湖区太和镇', '13800000000', '刘医生', '李收费', '王药师', '赵药师', '2026 年 11 月 24 日']) assert.ok(html.includes(value), `missing value ${value}`);
  for (const note of PRESCRIPTION_NOTES) assert.ok(html.includes(note), `missing note ${note}`);
  assert.ok(html.includes('须在上一次剩余用药量不超过15日（含）内'));
  assert.ok(html.includes(PRESCRIPTION_CONSENT));
  assert.ok(html.includes(PRESCRIPTION_COPIES));
  // 一式二份: one section per copy, each naming who keeps it, each a page of its own.
  assert.equal(html.match(/<section class="copy">/g)?.length, 2);
  assert.ok(html.includes('医疗机构留存联') && html.includes('患者联'));
  assert.match(html, /\.copy \{ page-break-after: always/);
});

test('the consent line is signed only when the patient asked for the prescription', () => {
  const unsigned = renderPrescription(sale, inst, { ...rx, consent: false }, 1, 'a5').html;
  const consentPart = (h: string) => h.slice(h.indexOf('处方申请人'), h.indexOf('处方申请人') + 80);
  assert.ok(consentPart(renderPrescription(sale, inst, rx, 1, 'a5').html).includes('周福生'));
  assert.ok(!consentPart(unsigned).includes('周福生'));
});

test('the receipt shows items, totals, fund, patient share, cap left and the receipt number; text is escaped', () => {
  const { html } = renderReceipt(sale, inst, 1, 'a5', '2026-11-24T10:00:00.000Z');
  for (const v of ['S2026112400007', '11.10 元', '6.66 元', '4.44 元', '293.34 元', '周*生', '4207**********0412', '王药师', '鄂州市']) assert.ok(html.includes(v), `missing ${v}`);
  assert.ok(!html.includes('<script>'), 'names are HTML-escaped');
  assert.ok(html.includes('二甲双胍片&lt;script&gt;'));
  assert.ok(!html.includes('补打'), 'the first print is not marked as a reprint');
});

test('reprints are marked with their count; 80 mm layout is a roll 80 mm wide', () => {
  const r = renderReceipt(sale, inst, 3, '80mm', '2026-11-24T10:00:00.000Z');
  assert.match(r.html, /补打（第 2 次重印）/);
  assert.deepEqual(r.pageSize, PAGE_SIZES['80mm']);
  assert.equal(r.pageSize.heightMm, null);
  assert.match(r.html, /@page \{ size: 80mm auto/);
  assert.match(renderPrescription(sale, inst, rx, 2, 'a5').html, /补打（第 1 次重印）/);
});

test('a reversal prints as a refund slip naming the original', () => {
  const html = renderReceipt({ ...sale, kind: 'reversal', reverses: 'S2026112400001', receiptNo: 'T2026112400001' }, inst, 1, 'a5', '2026-11-24T10:00:00Z').html;
  assert.match(html, /退费单/);
  assert.match(html, /冲销原结算：S2026112400001/);
});

test('seed 000 §二.(三).5 一人一药单 lists each drug with last date, quantity and times; seed 002 §九 public list shows prices and marks demo data', () => {
  const list = renderDrugList({ name: '周福生', certnoMasked: '4207**********0412', insuranceZh: '职工医保', conditionsZh: '高血压', managementClass: 2 }, inst,
    [{ name: '氨氯地平片', spec: '5mg', vbp: true, lastDate: '2026-11-24', quantity: '3', times: 2 }], 1, 'a5', '2026-11-24T10:00:00Z').html;
  for (const v of ['一人一药单', '氨氯地平片（集采）', '2026-11-24', '二类']) assert.ok(list.includes(v), `missing ${v}`);
  const pub = renderPublicList(inst, '鄂州市', [{ code: 'X1', name: '氨氯地平片', form: '片剂', spec: '5mg', manufacturer: null, grade: '甲', price: '6.3', paymentStandard: '6.30', vbp: true, restriction: null }], 'a5', '2026-11-24T10:00:00Z', true).html;
  for (const v of ['药品品种及价格公示', '氨氯地平片', '6.30', '演示数据', '共 1 个品种']) assert.ok(pub.includes(v), `missing ${v}`);
  assert.ok(!renderPublicList(inst, '鄂州市', [], 'a5', '2026-11-24T10:00:00Z', false).html.includes('演示数据'));
});

test('the receipt says whose figure of the year\'s used amount the sale was priced from (hub), and nothing of it without a hub or on a refund', async () => {
  const { poolFigureZh } = await import('../../core/hub/counter-link.ts');
  const group = poolFigureZh({ source: 'group', used: '120.00', asOf: '2026-11-24T02:05:00.000Z' });
  const alone = poolFigureZh({ source: 'counter', used: '120.00', asOf: '2026-11-24T01:30:00.000Z' });
  const never = poolFigureZh({ source: 'counter', used: '0.00', asOf: null });
  assert.equal(group, '年度已用额度为本组全部柜台合计（中心数据，截至 2026-11-24 10:05）');
  assert.equal(alone, '未连上中心：年度已用额度按本柜台记录加最近一次中心数据（截至 2026-11-24 09:30）计算，其他柜台此后的结算未计入');
  assert.equal(never, '未连上中心：年度已用额度仅按本柜台记录计算，其他柜台的结算未计入');
  for (const layout of ['80mm', 'a5'] as const) {
    for (const said of [group, alone, never]) {
      const { html } = renderReceipt({ ...sale, poolFigureZh: said }, inst, 1, layout, '2026-11-24 10:06:00');
      assert.ok(html.includes(said), `${layout}: ${said}`);
    }
    assert.ok(!/柜台合计|未连上中心/.test(renderReceipt(sale, inst, 1, layout, '2026-11-24 10:06:00').html));
    assert.ok(!/柜台合计/.test(renderReceipt({ ...sale, kind: 'reversal', reverses: 'x', poolFigureZh: group }, inst, 1, layout, '2026-11-24 10:06:00').html));
  }
});
