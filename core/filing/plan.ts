// What a filing does, decided without the database: the roster record afterwards and the platform
// messages to queue (register per disease added or updated, revoke per disease removed).
import { InputError } from '../contract/problems.ts';
import { CHANGE_REASON_ZH, type ConditionName, type FilingRequest } from './contract.ts';
import type { RosterState } from '../contract/filing.ts';
import { decideClass, type DiagnosisDetail, type ManagementClass } from '../contract/diagnosis.ts';
import { DISEASE_CODES, FILING_CODES, filingRule, type FilingCodeSet } from './rules.ts';

export type { RosterState };

export interface FilingInstitution {
  code: string;
  name: string;
  type: 'clinic' | 'pharmacy';
  level: 1 | 2 | 3;
  policy: string;
  /** 公立: null when the site has not said. */
  isPublic: boolean | null;
}


export interface PlannedMessage {
  action: 'register' | 'revoke';
  infno: string;
  disease: ConditionName;
  payload: Record<string, string>;
}

export interface FilingPlan {
  patient: RosterState;
  messages: PlannedMessage[];
  summary: string;
  summaryZh: string;
}

function refuse(code: string, path: string, message: string, messageZh: string): never {
  throw new InputError(code, message, messageZh, [{ path, code, message, messageZh }]);
}

const ORDER: ConditionName[] = ['hypertension', 'diabetes'];
const sorted = (c: readonly ConditionName[]) => ORDER.filter((x) => c.includes(x));
const ZH: Record<ConditionName, string> = { hypertension: '高血压', diabetes: '糖尿病' };

/**
 * The management class a filing records (seed 001 §一): what the diagnosis gives, else the one
 * chosen; a chosen class the diagnosis contradicts is refused. Without a class or detail given,
 * the conditions alone decide only where the region has classes.
 */
function classFor(explicit: ManagementClass | null, conditions: readonly ConditionName[], detail: Omit<DiagnosisDetail, 'conditions'> | undefined, regionHasClasses: boolean): ManagementClass | null {
  if (explicit === null && detail === undefined && !regionHasClasses) return null;
  const d = decideClass(explicit, { conditions, ...detail });
  if (d.conflict) refuse('CLASS_MISMATCH', 'managementClass', d.conflict.message, d.conflict.messageZh);
  return d.managementClass;
}

/**
 * Why this institution may not record a filing of this kind (null when it may): only a medical
 * institution diagnoses; the region sets the levels, and whether only public ones file.
 */
export function institutionMayNotFile(kind: 'new' | 'change', inst: FilingInstitution): { code: string; path: string; message: string; messageZh: string } | null {
  const rule = filingRule(inst.policy);
  if (inst.type !== 'clinic') return { code: 'FILING_NOT_A_CLINIC', path: 'institution.type', message: 'filing needs a diagnosis: only a designated medical institution (not a pharmacy) may file', messageZh: '备案须经医疗机构诊断，定点药店不能办理两病备案' };
  const levels = kind === 'new' ? rule.newLevels : rule.changeLevels;
  if (!levels.includes(inst.level)) {
    return { code: 'FILING_LEVEL', path: 'institution.level', message: `a level ${inst.level} institution may not ${kind === 'new' ? 'file new patients' : 'change filings'} here (${rule.source}: levels ${levels.join(', ')})`, messageZh: `本地区由${levels.join('、')}级医疗机构办理，本机构为${inst.level}级` };
  }
  if (rule.publicOnly && inst.isPublic !== true) {
    return { code: 'FILING_NOT_PUBLIC', path: 'institution.public', message: `only public institutions file two-disease patients here (${rule.source}); ${inst.isPublic === null ? 'set filing.public to yes if this institution is public' : 'this institution is not public'}`, messageZh: `本地区由公立医疗机构办理两病备案${inst.isPublic === null ? '，如本机构为公立请在设置中注明' : ''}` };
  }
  return null;
}

export function planFiling(req: FilingRequest, existing: RosterState | null, inst: FilingInstitution, codeSet: FilingCodeSet = 'national'): FilingPlan {
  const rule = filingRule(inst.policy);
  const barred = institutionMayNotFile(req.kind === 'new' ? 'new' : 'change', inst);
  if (barred) refuse(barred.code, barred.path, barred.message, barred.messageZh);
  const codes = FILING_CODES[codeSet];
  const register = (d: ConditionName, patient: RosterState, memo: string): PlannedMessage => ({
    action: 'register',
    infno: codes.register,
    disease: d,
    payload: {
      psn_no: patient.psnNo,
      insutype: patient.insutype,
      opsp_dise_code: DISEASE_CODES[d].code,
      opsp_dise_name: DISEASE_CODES[d].name,
      begndate: req.date,
      ide_fixmedins_no: inst.code,
      ide_fixmedins_name: inst.name,
      hosp_ide_date: req.date,
      diag_dr_codg: req.doctor.code ?? '',
      diag_dr_name: req.doctor.name,
      memo,
    },
  });
  const revoke = (d: ConditionName, patient: RosterState, memo: string): PlannedMessage => ({
    action: 'revoke',
    infno: codes.revoke,
    disease: d,
    // trt_dcla_detl_sn comes from the register reply; the uploader fills it when it sends.
    payload: { psn_no: patient.psnNo, opsp_dise_code: DISEASE_CODES[d].code, opsp_dise_name: DISEASE_CODES[d].name, enddate: req.date, trt_dcla_detl_sn: '', memo },
  });

  if (req.kind === 'new') {
    const conditions = sorted(req.conditions);
    if (existing && existing.status === 'active') {
      refuse('ALREADY_FILED', 'psnNo', `the patient is already filed (${existing.conditions.join(', ')}, since ${existing.flaggedDate ?? 'unknown'}); record a change filing instead`, `该患者已备案（${existing.conditions.map((c) => ZH[c]).join('、')}），请办理变更备案`);
    }
    if (!existing && !req.person) refuse('PERSON_REQUIRED', 'person', 'the patient is not on the roster: give name, insurance and ID number', '名单中无此患者，请填写姓名、险种和身份证号');
    const decided = classFor(req.managementClass, conditions, req.diagnosisDetail, rule.requiresClass);
    if (rule.requiresClass && decided === null) refuse('CLASS_REQUIRED', 'managementClass', `a management class (1 or 2), or the hypertension grade and risk group, is required here (${rule.source})`, '请选择管理类别（一类或二类），或填写高血压分级和危险分层');
    const p = req.person;
    const patient: RosterState = {
      psnNo: req.psnNo,
      name: p?.name ?? existing!.name,
      certno: p?.certno ?? existing?.certno ?? null,
      gender: p?.gender ?? existing?.gender ?? null,
      birthDate: p?.birthDate ?? existing?.birthDate ?? null,
      insutype: p ? (p.insurance === 'employee' ? '310' : '390') : existing!.insutype,
      region: p?.region ?? existing?.region ?? null,
      conditions,
      managementClass: decided ?? existing?.managementClass ?? null,
      status: 'active',
      flaggedDate: req.date,
      flaggedBy: 'counter',
      stoppedDate: null,
      stoppedReason: null,
      // Kunming covers only the patient's chosen institution: filed here with none chosen, it is this one,
      // so the patient is eligible at once (seed 002 §五.(一)).
      designatedInstitution: existing?.designatedInstitution ?? (rule.designatesHere ? inst.code : null),
    };
    return {
      patient,
      messages: conditions.map((d) => register(d, patient, `counter filing by ${req.doctor.name}`)),
      summary: `filed ${conditions.join(' + ')} on ${req.date}; eligible at once`,
      summaryZh: `已备案${conditions.map((c) => ZH[c]).join('、')}（${req.date}），即时享受待遇`,
    };
  }

  if (!existing) refuse('NOT_FILED', 'psnNo', 'the patient is not on the roster: file them first', '名单中无此患者，请先办理备案');
  if (existing.status !== 'active') refuse('NOT_ACTIVE', 'psnNo', `the patient's filing stopped on ${existing.stoppedDate ?? '?'}; file anew`, '该患者备案已停止，请重新备案');

  if (req.kind === 'stop') {
    const patient: RosterState = { ...existing, status: 'stopped', stoppedDate: req.date, stoppedReason: req.reason };
    return {
      patient,
      messages: existing.conditions.map((d) => revoke(d, patient, req.reason)),
      summary: `filing stopped on ${req.date}: ${req.reason}`,
      summaryZh: `已停止备案（${req.date}）：${req.reason}`,
    };
  }

  // Change filing (seed 003 §二.(三).1: 痊愈、病情进展、出现新病种、用药发生改变).
  const before = existing.conditions;
  const after = sorted(req.conditions);
  const added = after.filter((c) => !before.includes(c));
  const removed = before.filter((c) => !after.includes(c));
  const same = added.length === 0 && removed.length === 0;
  const bad = (message: string, messageZh: string) => refuse('CHANGE_INCONSISTENT', 'conditions', message, messageZh);
  switch (req.reason) {
    case 'cured':
      if (added.length > 0 || removed.length === 0) bad('a cure removes a condition and adds none', '痊愈变更应去除已痊愈的病种');
      break;
    case 'new-disease':
      if (removed.length > 0 || added.length === 0) bad('a new disease adds a condition', '新病种变更应增加病种');
      break;
    case 'progressed':
      if (removed.length > 0) bad('progression does not remove a condition', '病情进展不应去除病种');
      if (same && req.managementClass === existing.managementClass && req.diagnoses.length === 0) bad('progression changes the class, a diagnosis or a condition', '病情进展应变更管理类别、诊断或病种');
      break;
    case 'drug-change':
      if (!same) bad('a change of drugs keeps the conditions (use new-disease or cured)', '用药变更不改变病种');
      if (req.drugs.length === 0) bad('list the drugs now taken', '请填写变更后的用药');
      break;
  }
  const rule2 = filingRule(inst.policy);
  // Where the region has classes, the new conditions may decide it (a new diabetes makes class 1 class 2).
  const cls = classFor(req.managementClass, after, req.diagnosisDetail, rule2.requiresClass) ?? existing.managementClass;
  const memo = `${CHANGE_REASON_ZH[req.reason]}（${req.doctor.name}）`;
  const cured = after.length === 0;
  const patient: RosterState = cured
    ? { ...existing, status: 'stopped', stoppedDate: req.date, stoppedReason: CHANGE_REASON_ZH.cured }
    : { ...existing, conditions: after, managementClass: cls };
  const messages = [
    ...removed.map((d) => revoke(d, patient, memo)),
    ...added.map((d) => register(d, patient, memo)),
    // Progression or a change of drugs updates what the platform holds for the diseases kept.
    ...(req.reason === 'progressed' || req.reason === 'drug-change' ? after.filter((d) => before.includes(d)).map((d) => register(d, patient, memo)) : []),
  ];
  return {
    patient,
    messages,
    summary: cured ? `cured of every condition on ${req.date}: filing stopped` : `change filing (${req.reason}) on ${req.date}: ${after.join(' + ')}`,
    summaryZh: cured ? `已痊愈（${req.date}），停止备案` : `变更备案（${CHANGE_REASON_ZH[req.reason]}，${req.date}）：${after.map((c) => ZH[c]).join('、')}`,
  };
}
