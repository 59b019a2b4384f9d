// Filing decisions (no database): who may file, what a new, change or stop filing does to the
// roster record, and which platform messages it queues.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FilingRequestSchema, planFiling, qualificationFormHtml, type FilingInstitution, type FilingRequestInput, type RosterState } from '../../core/filing/index.ts';
import { InputError } from '../../core/contract/problems.ts';

const township: FilingInstitution = { code: 'H53090200001', name: '某镇卫生院', type: 'clinic', level: 1, policy: 'lincang', isPublic: true };
const doctor = { code: 'D001', name: '王医生' };
const parse = (r: FilingRequestInput) => FilingRequestSchema.parse(r);
const newReq = (over: Partial<FilingRequestInput> = {}) =>
  parse({ kind: 'new', psnNo: 'P1', date: '2025-03-01', doctor, conditions: ['hypertension'], person: { name: '张三丰', certno: '11010519491231002X', insurance: 'resident' }, ...over } as FilingRequestInput);
const onRoster = (over: Partial<RosterState> = {}): RosterState => ({
  psnNo: 'P1', name: '张三丰', certno: '11010519491231002X', gender: '1', birthDate: '1949-12-31', insutype: '390', region: '530902', conditions: ['hypertension'],
  managementClass: null, status: 'active', flaggedDate: '2024-01-01', flaggedBy: 'bureau', stoppedDate: null, stoppedReason: null, ...over,
});
const code = (fn: () => unknown) => {
  try {
    fn();
    return 'none';
  } catch (e) {
    assert.ok(e instanceof InputError, String(e));
    return e.code;
  }
};

test('a public level 1 institution files a new patient on the spot: flagged by the counter, active at once, one register per disease (seed 000 §二.(一).2)', () => {
  const plan = planFiling(newReq({ conditions: ['diabetes', 'hypertension'] }), null, township);
  assert.equal(plan.patient.status, 'active');
  assert.equal(plan.patient.flaggedBy, 'counter');
  assert.equal(plan.patient.flaggedDate, '2025-03-01');
  assert.deepEqual(plan.patient.conditions, ['hypertension', 'diabetes']);
  assert.deepEqual(plan.messages.map((m) => [m.action, m.infno, m.payload.opsp_dise_code]), [['register', '2503', 'M03900'], ['register', '2503', 'M01600']]);
  assert.equal(plan.messages[0]!.payload.insutype, '390');
  assert.equal(plan.messages[0]!.payload.diag_dr_name, '王医生');
  assert.equal(plan.messages[0]!.payload.ide_fixmedins_no, township.code);
  // The local code set (2562/2563) where the platform config says so.
  assert.equal(planFiling(newReq(), null, township, 'local').messages[0]!.infno, '2562');
});

test('Lincang: level 3, private, unstated ownership and pharmacies may not file (seed 000 §二.(一).2)', () => {
  assert.equal(code(() => planFiling(newReq(), null, { ...township, level: 3 })), 'FILING_LEVEL');
  assert.equal(code(() => planFiling(newReq(), null, { ...township, isPublic: false })), 'FILING_NOT_PUBLIC');
  assert.equal(code(() => planFiling(newReq(), null, { ...township, isPublic: null })), 'FILING_NOT_PUBLIC');
  assert.equal(code(() => planFiling(newReq(), null, { ...township, type: 'pharmacy' })), 'FILING_NOT_A_CLINIC');
  assert.equal(code(() => planFiling(newReq(), null, { ...township, level: 2 })), 'none');
});

test('Chongqing: any designated institution diagnoses (seed 001 §二.(一)); a class is required and diabetes is class 2 (seed 001 §一)', () => {
  const cq: FilingInstitution = { ...township, policy: 'chongqing', level: 3, isPublic: false };
  assert.equal(code(() => planFiling(newReq(), null, cq)), 'CLASS_REQUIRED');
  assert.equal(code(() => planFiling(newReq({ conditions: ['diabetes'], managementClass: 1 }), null, cq)), 'CLASS_MISMATCH');
  const plan = planFiling(newReq({ managementClass: 1 }), null, cq);
  assert.equal(plan.patient.managementClass, 1);
});

test('a new filing needs the person when not on the roster, and refuses a patient already filed', () => {
  assert.equal(code(() => planFiling(newReq({ person: undefined }), null, township)), 'PERSON_REQUIRED');
  assert.equal(code(() => planFiling(newReq(), onRoster(), township)), 'ALREADY_FILED');
  // A stopped patient can be filed anew; the roster's personal data is kept when none is given.
  const again = planFiling(newReq({ person: undefined }), onRoster({ status: 'stopped', stoppedDate: '2024-12-01' }), township);
  assert.equal(again.patient.status, 'active');
  assert.equal(again.patient.stoppedDate, null);
  assert.equal(again.patient.certno, '11010519491231002X');
});

test('change filing, new disease: adds diabetes and registers only it (seed 003 §二.(三).1 出现新病种)', () => {
  const plan = planFiling(parse({ kind: 'change', psnNo: 'P1', date: '2025-04-01', doctor, reason: 'new-disease', conditions: ['hypertension', 'diabetes'] }), onRoster(), township);
  assert.deepEqual(plan.patient.conditions, ['hypertension', 'diabetes']);
  assert.deepEqual(plan.messages.map((m) => [m.action, m.disease]), [['register', 'diabetes']]);
});

test('change filing, cured of one: revokes it; cured of all: the filing stops (已痊愈)', () => {
  const both = onRoster({ conditions: ['hypertension', 'diabetes'] });
  const one = planFiling(parse({ kind: 'change', psnNo: 'P1', date: '2025-04-01', doctor, reason: 'cured', conditions: ['diabetes'] }), both, township);
  assert.deepEqual(one.messages.map((m) => [m.action, m.infno, m.disease]), [['revoke', '2504', 'hypertension']]);
  assert.equal(one.patient.status, 'active');
  const all = planFiling(parse({ kind: 'change', psnNo: 'P1', date: '2025-04-01', doctor, reason: 'cured', conditions: [] }), onRoster(), township);
  assert.equal(all.patient.status, 'stopped');
  assert.equal(all.patient.stoppedReason, '已痊愈');
});

test('change filing, progressed or drugs changed: re-registers the kept diseases; inconsistent changes are refused', () => {
  const cq: FilingInstitution = { ...township, policy: 'chongqing' };
  const progressed = planFiling(parse({ kind: 'change', psnNo: 'P1', date: '2025-04-01', doctor, reason: 'progressed', conditions: ['hypertension'], managementClass: 2 }), onRoster({ managementClass: 1 }), cq);
  assert.equal(progressed.patient.managementClass, 2);
  assert.deepEqual(progressed.messages.map((m) => m.action), ['register']);
  const drugs = planFiling(parse({ kind: 'change', psnNo: 'P1', date: '2025-04-01', doctor, reason: 'drug-change', conditions: ['hypertension'], drugs: [{ genericName: '缬沙坦' }] }), onRoster(), township);
  assert.deepEqual(drugs.messages.map((m) => [m.action, m.disease]), [['register', 'hypertension']]);
  assert.equal(code(() => planFiling(parse({ kind: 'change', psnNo: 'P1', date: '2025-04-01', doctor, reason: 'drug-change', conditions: ['hypertension'] }), onRoster(), township)), 'CHANGE_INCONSISTENT');
  assert.equal(code(() => planFiling(parse({ kind: 'change', psnNo: 'P1', date: '2025-04-01', doctor, reason: 'cured', conditions: ['hypertension', 'diabetes'] }), onRoster(), township)), 'CHANGE_INCONSISTENT');
  assert.equal(code(() => planFiling(parse({ kind: 'change', psnNo: 'P1', date: '2025-04-01', doctor, reason: 'new-disease', conditions: ['hypertension'] }), onRoster(), township)), 'CHANGE_INCONSISTENT');
  assert.equal(code(() => planFiling(parse({ kind: 'change', psnNo: 'P1', date: '2025-04-01', doctor, reason: 'new-disease', conditions: ['hypertension', 'diabetes'] }), null, township)), 'NOT_FILED');
});

test('stop filing revokes every disease and stops the patient with the reason', () => {
  const plan = planFiling(parse({ kind: 'stop', psnNo: 'P1', date: '2025-05-01', doctor, reason: '转门诊慢特病' }), onRoster({ conditions: ['hypertension', 'diabetes'] }), township);
  assert.equal(plan.patient.status, 'stopped');
  assert.equal(plan.patient.stoppedReason, '转门诊慢特病');
  assert.deepEqual(plan.messages.map((m) => [m.action, m.disease]), [['revoke', 'hypertension'], ['revoke', 'diabetes']]);
  assert.equal(code(() => planFiling(parse({ kind: 'stop', psnNo: 'P1', date: '2025-05-01', doctor, reason: '死亡' }), onRoster({ status: 'stopped' }), township)), 'NOT_ACTIVE');
});

test('the qualification form (seed 003 附件2) carries the fields of the paper form, escaped', () => {
  const html = qualificationFormHtml({
    regionName: '鄂州市', institutionName: '某镇卫生院<script>', name: '张三丰', gender: '1', birthDate: '1949-12-31', certno: '11010519491231002X', address: '某村1组',
    insuredRegion: '420700', conditions: ['diabetes'], history: '多饮多尿3年', diagnoses: [{ code: 'E11.9', name: '2型糖尿病' }], drugs: [{ genericName: '二甲双胍', usage: '0.5g tid' }],
    doctorName: '王医生', date: '2025-03-01',
  });
  assert.match(html, /鄂州市参保人员“两病”门诊用药保障审定表/);
  for (const s of ['姓名', '性别', '年龄', '身份证号', '家庭住址', '参保地', '申报病种', '专家意见', '病史及诊断', '治疗方案', '医院意见', '签章']) assert.ok(html.includes(s), s);
  assert.match(html, /□高血压　☑糖尿病/);
  assert.match(html, /<td>75<\/td>/); // age on 2025-03-01
  assert.match(html, /2型糖尿病（E11\.9）/);
  assert.ok(!html.includes('<script>'));
});
