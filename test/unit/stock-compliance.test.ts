// Stock compliance (seed 000 §二.(三).6): 卫生院 ≥ 20 VBP two-disease drugs, 卫生室 ≥ 6, and five
// classes each of antihypertensives and antidiabetics.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { facilityKind, stockCompliance, type StockedItem } from '../../core/supervision/stock.ts';

const item = (name: string, cat: 'antihypertensive' | 'antidiabetic', group: string | null, vbp = true, code = `X${cat === 'antidiabetic' ? 'A10BA02' : 'C08CA01'}DEMO${name}`): StockedItem => ({ code, genericName: name, category: cat, drugGroup: group, vbp });
const H_GROUPS = ['ACEI类', 'ARB类', '钙通道阻滞剂类', 'β受体阻滞剂类', '利尿剂类'];
const D_GROUPS = ['双胍类', '磺脲类', 'α-糖苷酶抑制剂', 'DPP-4 抑制剂', '胰岛素类'];

test('seed 000 §二.(三).6: which minimum applies, by the kind of institution', () => {
  assert.equal(facilityKind({ name: '临翔区某乡卫生院', type: 'clinic' }), 'health-centre');
  assert.equal(facilityKind({ name: '凤翔街道社区卫生服务中心', type: 'clinic' }), 'health-centre');
  assert.equal(facilityKind({ name: '某村卫生室', type: 'clinic' }), 'village-clinic');
  assert.equal(facilityKind({ name: '某社区卫生服务站', type: 'clinic' }), 'village-clinic');
  assert.equal(facilityKind({ name: '某大药房', type: 'pharmacy' }), null);
});

test('seed 000 §二.(三).6: a village clinic with 6 VBP drugs in five classes of each meets it; one fewer does not, and says what is short', () => {
  const six = [...H_GROUPS.map((g, i) => item(`降压${i}`, 'antihypertensive', g, i < 3)), ...D_GROUPS.map((g, i) => item(`降糖${i}`, 'antidiabetic', g, i < 3))];
  const ok = stockCompliance({ name: '某村卫生室', type: 'clinic' }, six);
  assert.deepEqual([ok.vbpDrugs.length, ok.vbpMinimum, ok.classes.hypertension.length, ok.classes.diabetes.length, ok.meets], [6, 6, 5, 5, true]);
  const five = six.map((i) => (i.genericName === '降糖2' ? { ...i, vbp: false } : i));
  const short = stockCompliance({ name: '某村卫生室', type: 'clinic' }, five);
  assert.equal(short.meets, false);
  assert.deepEqual(short.shortfallsZh, ['集采中选两病药品 5 种，少于 6 种（还差 1 种）']);
  const health = stockCompliance({ name: '某乡卫生院', type: 'clinic' }, six);
  assert.equal(health.meets, false, 'a health centre needs 20');
  assert.match(health.shortfallsZh[0]!, /少于 20 种/);
});

test('seed 000 §二.(三).6: classes are counted per group (two drugs of one group are one class); the same drug in two packs is one 种; ATC stands in for a missing group', () => {
  const items = [
    item('氨氯地平', 'antihypertensive', '钙通道阻滞剂类'),
    item('硝苯地平', 'antihypertensive', '钙通道阻滞剂类'),
    item('氨氯地平', 'antihypertensive', '钙通道阻滞剂类', true, 'XC08CAA001B002'),
    item('二甲双胍', 'antidiabetic', null, true, 'XA10BA02X001'),
    item('格列美脲', 'antidiabetic', null, true, 'XA10BB12X001'),
    { code: 'XC10AA01X001', genericName: '阿托伐他汀', category: 'other' as const, drugGroup: null, vbp: true },
  ];
  const r = stockCompliance({ name: '某村卫生室', type: 'clinic' }, items);
  assert.deepEqual(r.vbpDrugs, ['二甲双胍', '格列美脲', '氨氯地平', '硝苯地平'].sort());
  assert.deepEqual(r.classes.hypertension, ['钙通道阻滞剂类']);
  assert.deepEqual(r.classes.diabetes, ['双胍类', '磺脲类'].sort(), 'A10BA and A10BB are two classes, named in Chinese');
  assert.ok(!r.vbpDrugs.includes('阿托伐他汀'), 'a lipid-lowering drug is not a two-disease drug');
  assert.ok(r.shortfallsZh.some((s) => s === '降压药 1 大类，少于 5 大类'));
});
