// The management class from the diagnosis (Chongqing, seed 001 §一 适用人群): class 1 is grade-1
// low-risk and secondary hypertension; class 2 is grade-1 medium-risk and above, and every
// diabetic. The roster row and the filing derive it and refuse an explicit class it contradicts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classFromDiagnosis, decideClass } from '../../core/contract/diagnosis.ts';
import { validateRosterRow, ROSTER_FIELDS } from '../../core/contract/patient.ts';
import type { Problem } from '../../core/contract/problems.ts';
import { FilingRequestSchema, planFiling, type FilingInstitution, type FilingRequestInput, type RosterState } from '../../core/filing/index.ts';
import { InputError } from '../../core/contract/problems.ts';

test('seed 001 §一: the class each diagnosis gives', () => {
  const h = ['hypertension'] as const;
  assert.equal(classFromDiagnosis({ conditions: h, hypertensionGrade: 1, riskGroup: 'low' }), 1, '一级高血压低危组 → 一类');
  assert.equal(classFromDiagnosis({ conditions: h, secondaryHypertension: true }), 1, '继发性高血压 → 一类');
  assert.equal(classFromDiagnosis({ conditions: h, hypertensionGrade: 1, riskGroup: 'medium' }), 2, '一级高血压中危组 → 二类');
  assert.equal(classFromDiagnosis({ conditions: h, hypertensionGrade: 1, riskGroup: 'very-high' }), 2);
  assert.equal(classFromDiagnosis({ conditions: h, hypertensionGrade: 2 }), 2, '二级及以上 → 二类, whatever the risk');
  assert.equal(classFromDiagnosis({ conditions: h, hypertensionGrade: 3, riskGroup: 'low' }), 2);
  assert.equal(classFromDiagnosis({ conditions: ['diabetes'] }), 2, '糖尿病患者 → 二类');
  assert.equal(classFromDiagnosis({ conditions: ['hypertension', 'diabetes'], hypertensionGrade: 1, riskGroup: 'low' }), 2, 'a diabetic is class 2 whatever the blood pressure');
  assert.equal(classFromDiagnosis({ conditions: h }), null, 'hypertension without grade and risk does not decide');
  assert.equal(classFromDiagnosis({ conditions: h, hypertensionGrade: 1 }), null, 'grade 1 without the risk group does not decide');
  assert.equal(decideClass(1, { conditions: h }).managementClass, 1, 'an explicit class stands where the diagnosis does not decide');
  const c = decideClass(1, { conditions: ['diabetes'] });
  assert.equal(c.managementClass, null);
  assert.match(c.conflict!.messageZh, /糖尿病属二类管理对象/);
  assert.doesNotMatch(c.conflict!.messageZh, /seed|§/);
});

const cells = (row: Record<string, string>) => ROSTER_FIELDS.map((f) => row[f.name]);
const base = { psn_no: 'P1', certno: '11010519491231002X', name: '张三丰', insutype: '390', conditions: '高血压' };
function row(extra: Record<string, string>) {
  const problems: Problem[] = [];
  return { r: validateRosterRow(cells({ ...base, ...extra }), problems), problems };
}

test('seed 001 §一, roster row: the class follows the grade and risk group; a contradicting class is refused naming the field', () => {
  assert.equal(row({ hypertension_grade: '一级', hypertension_risk: '低危' }).r!.management_class, 1);
  assert.equal(row({ hypertension_grade: '1', hypertension_risk: 'medium' }).r!.management_class, 2);
  assert.equal(row({ hypertension_grade: '二级', management_class: '2' }).r!.management_class, 2, 'an agreeing class is kept');
  assert.equal(row({ secondary_hypertension: '是' }).r!.management_class, 1);
  assert.equal(row({ conditions: '糖尿病', management_class: '二类' }).r!.management_class, 2);
  assert.equal(row({ management_class: '1' }).r!.management_class, 1, 'hypertension with no detail: the class as given');
  assert.equal(row({ conditions: '糖尿病' }).r!.management_class, null, 'a row saying nothing about the class is stored as it is (the class is derived where the policy needs it)');
  const contradictions: Record<string, string>[] = [{ conditions: '糖尿病', management_class: '1' }, { hypertension_grade: '3', management_class: '一类' }, { hypertension_grade: '1', hypertension_risk: '高危', management_class: '1' }];
  for (const bad of contradictions) {
    const { r, problems } = row(bad);
    assert.equal(r, null, JSON.stringify(bad));
    assert.deepEqual(problems.map((p) => [p.path, p.code]), [['management_class', 'CLASS_CONTRADICTS_DIAGNOSIS']]);
    assert.match(problems[0]!.messageZh, /管理类别与诊断不符/);
  }
  const { problems } = row({ hypertension_risk: '不知道' });
  assert.deepEqual(problems.map((p) => [p.path, p.code]), [['hypertension_risk', 'INVALID_VALUE']]);
});

test('seed 001 §一, a delta row: leaving the class out keeps what is on file; changing the disease to diabetes with class 1 on file is refused', () => {
  const existing = row({ management_class: '1' }).r!;
  const problems: Problem[] = [];
  assert.equal(validateRosterRow(cells({ psn_no: 'P1', pool_used: '10', pool_used_as_of: '2025-01-31' }), problems, existing)!.management_class, 1);
  assert.equal(validateRosterRow(cells({ psn_no: 'P1', conditions: '两病' }), problems, existing), null);
  assert.equal(problems[0]!.code, 'CLASS_CONTRADICTS_DIAGNOSIS');
});

const cq: FilingInstitution = { code: 'H50010100001', name: '某社区卫生服务中心', type: 'clinic', level: 1, policy: 'chongqing', isPublic: true };
const newReq = (over: Partial<FilingRequestInput> = {}) =>
  FilingRequestSchema.parse({ kind: 'new', psnNo: 'P1', date: '2025-03-01', doctor: { code: 'D1', name: '王医生' }, conditions: ['hypertension'], person: { name: '张三丰', certno: '11010519491231002X', insurance: 'resident' }, ...over } as FilingRequestInput);
const code = (fn: () => unknown) => {
  try {
    fn();
    return 'none';
  } catch (e) {
    assert.ok(e instanceof InputError, String(e));
    return e.code;
  }
};

test('seed 001 §一, filing in Chongqing: the class from the diagnosis detail; a diabetic needs no class; a contradiction is refused', () => {
  assert.equal(planFiling(newReq({ diagnosisDetail: { hypertensionGrade: 1, riskGroup: 'low' } }), null, cq).patient.managementClass, 1);
  assert.equal(planFiling(newReq({ diagnosisDetail: { hypertensionGrade: 2 } }), null, cq).patient.managementClass, 2);
  assert.equal(planFiling(newReq({ conditions: ['diabetes'] }), null, cq).patient.managementClass, 2, 'a diabetic with no class is class 2, not refused');
  assert.equal(code(() => planFiling(newReq({ diagnosisDetail: { hypertensionGrade: 1, riskGroup: 'high' }, managementClass: 1 }), null, cq)), 'CLASS_MISMATCH');
  assert.equal(code(() => planFiling(newReq({ diagnosisDetail: { secondaryHypertension: true }, managementClass: 2 }), null, cq)), 'CLASS_MISMATCH');
  assert.equal(code(() => planFiling(newReq(), null, cq)), 'CLASS_REQUIRED', 'hypertension with neither class nor detail still asks');
  assert.throws(() => newReq({ diagnosisDetail: { riskGroup: 'extreme' } } as never), /riskGroup/);
  // A change filing adding diabetes turns class 1 into class 2.
  const onFile: RosterState = { psnNo: 'P1', name: '张三丰', certno: null, gender: '1', birthDate: null, insutype: '390', region: '500101', conditions: ['hypertension'], managementClass: 1, status: 'active', flaggedDate: '2024-01-01', flaggedBy: 'bureau', stoppedDate: null, stoppedReason: null };
  const change = FilingRequestSchema.parse({ kind: 'change', psnNo: 'P1', date: '2025-04-01', doctor: { code: 'D1', name: '王医生' }, reason: 'new-disease', conditions: ['hypertension', 'diabetes'] });
  assert.equal(planFiling(change, onFile, cq).patient.managementClass, 2);
  const lincang: FilingInstitution = { ...cq, policy: 'lincang' };
  assert.equal(planFiling(newReq({ conditions: ['diabetes'] }), null, lincang).patient.managementClass, null, 'regions without classes record none');
});
