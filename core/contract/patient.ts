// A roster row: one two-disease patient as the bureau (or the health commission, or this
// counter) flags them. The field table below is the single definition of the rules: the
// importer runs it on every CSV/JSON row, and RosterRowSchema wraps it for zod callers.
import { CHECK_CHARS, CHECK_WEIGHTS, EARLIEST_BIRTH, PROVINCE_CODES, parseIdNumber } from '../identity/idnumber.ts';
import type { Problem } from './problems.ts';
import { decideClass, type HypertensionGrade, type RiskGroup } from './diagnosis.ts';
import {
  enumParser,
  fail,
  parseCells,
  digitsAt,
  parseCode,
  parseDate,
  parseMoney,
  parseMonth,
  parseRegion,
  parseFlag,
  parseText,
  realYmd,
  rowSchema,
  type FieldSpec,
  type RawCells,
} from './rows.ts';

export type ConditionSet = 'hypertension' | 'diabetes' | 'both';
export type PaymentMode = 'fee-for-service' | 'capitation';
export type FlaggedBy = 'bureau' | 'health-commission' | 'counter';
export type PatientStatus = 'active' | 'stopped';

/** A patient as stored (snake_case = the column names of `patients`). */
export interface RosterRecord {
  psn_no: string;
  certno: string | null;
  card_no: string | null;
  name: string;
  /** GB/T 2261.1: 1 male, 2 female, 9 unstated. */
  gender: '1' | '2' | '9' | null;
  birth_date: string | null;
  /** 390 城乡居民基本医疗保险, 310 职工基本医疗保险. */
  insutype: '390' | '310';
  /** 参保地区划 (insuplc_admdvs). */
  region: string | null;
  conditions: ConditionSet;
  management_class: 1 | 2 | null;
  other_chronic_diseases: number;
  /** 门诊慢特病 benefits start (the two-disease scheme stops from then where the policy says so). */
  chronic_disease_since: string | null;
  designated_institution: string | null;
  payment_mode: PaymentMode;
  capitation_institution: string | null;
  capitation_start_month: string | null;
  flagged_date: string | null;
  flagged_by: FlaggedBy | null;
  status: PatientStatus;
  stopped_date: string | null;
  stopped_reason: string | null;
  /** 医保电子凭证 token the bureau file may carry, so a QR code resolves offline. */
  ec_token: string | null;
  /** What the bureau reports as paid from the two-disease pool this year, as of pool_used_as_of. */
  pool_used: string | null;
  pool_used_as_of: string | null;
}

export type RosterField = keyof RosterRecord;

/**
 * Diagnosis detail a roster row may carry (seed 001 §一): it decides the management class and is
 * checked against an explicit one; only the class is kept on the record.
 */
export type DiagnosisField = 'hypertension_grade' | 'hypertension_risk' | 'secondary_hypertension';
type RowField = RosterField | DiagnosisField;

const TODAY = new Date().toISOString().slice(0, 10);

const HYPERTENSION = new Set(['hypertension', 'h', '高血压', '高血压病', '原发性高血压', 'm03900', 'i10']);
const DIABETES = new Set(['diabetes', 'd', '糖尿病', '2型糖尿病', 'm01600', 'e11']);
const BOTH = new Set(['both', '两病', 'hypertension+diabetes', '高血压和糖尿病', '高血压合并糖尿病']);

/** hypertension / diabetes / both, also 高血压 / 糖尿病 / 两病 and the chronic-disease codes M03900 / M01600, in any list form. */
const EXACT = new Map<string, ConditionSet>([
  ['hypertension', 'hypertension'], ['高血压', 'hypertension'], ['M03900', 'hypertension'],
  ['diabetes', 'diabetes'], ['糖尿病', 'diabetes'], ['M01600', 'diabetes'], ['both', 'both'], ['两病', 'both'],
]);

export function parseConditions(text: string): ConditionSet {
  const exact = EXACT.get(text);
  if (exact !== undefined) return exact;
  const whole = text.toLowerCase().replace(/\s+/g, '');
  if (BOTH.has(whole)) return 'both';
  let h = false;
  let d = false;
  for (const part of whole.split(/[,;，；、/+|&和]+/)) {
    if (part === '') continue;
    if (HYPERTENSION.has(part)) h = true;
    else if (DIABETES.has(part)) d = true;
    else if (BOTH.has(part)) h = d = true;
    else {
      return fail(
        'INVALID_CONDITION',
        `conditions must be hypertension, diabetes or both (also 高血压/糖尿病, M03900/M01600); ${JSON.stringify(part)} is none of them`,
        `病种必须是高血压、糖尿病或两病（也可写 M03900/M01600），无法识别 ${JSON.stringify(part)}`,
      );
    }
  }
  if (h && d) return 'both';
  if (h) return 'hypertension';
  if (d) return 'diabetes';
  return fail('INVALID_CONDITION', 'conditions name no disease', '未填写病种');
}

export function conditionList(c: ConditionSet): ('hypertension' | 'diabetes')[] {
  return c === 'both' ? ['hypertension', 'diabetes'] : [c];
}

// yyyymmdd as integers, for comparing birth dates without building strings.
const ymdInt = (iso: string) => Number(iso.slice(0, 4)) * 10000 + Number(iso.slice(5, 7)) * 100 + Number(iso.slice(8, 10));
const TODAY_INT = ymdInt(TODAY);
const EARLIEST_INT = ymdInt(EARLIEST_BIRTH);
/** Province code (first two digits, as a number) → known. */
const PROVINCE = Array.from({ length: 100 }, (_, i) => PROVINCE_CODES.has(String(i).padStart(2, '0')));
const CHECK_CODES = CHECK_CHARS.map((c) => c.charCodeAt(0));
// Module-local copies: under the dev loader an imported binding is a getter call on every use.
const WEIGHTS: readonly number[] = [...CHECK_WEIGHTS];
const digitsOf = digitsAt;
const isRealYmd = realYmd;

/**
 * The common case of a bureau file, decided from core/identity's own parts (province codes,
 * check weights and characters, earliest birth date) by char codes and integer math, without
 * building its full result; anything else goes to parseIdNumber, which is the definition and
 * says what is wrong. (test/unit/row-contracts.test.ts checks the two agree.)
 */
export function isPlainValidCertno(text: string): boolean {
  if (text.length !== 18) return false;
  let total = 0;
  for (let i = 0; i < 17; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return false;
    total += c * WEIGHTS[i]!;
  }
  if (text.charCodeAt(17) !== CHECK_CODES[total % 11]) return false;
  if (!PROVINCE[digitsOf(text, 0, 2)]) return false;
  const y = digitsOf(text, 6, 4);
  const m = digitsOf(text, 10, 2);
  const d = digitsOf(text, 12, 2);
  const birth = y * 10000 + m * 100 + d;
  return birth <= TODAY_INT && birth >= EARLIEST_INT && isRealYmd(y, m, d);
}

function parseCertno(text: string): string {
  if (isPlainValidCertno(text)) return text;
  const r = parseIdNumber(text, TODAY, 'certno');
  if (!r.valid) {
    const first = r.problems[0]!;
    return fail(first.code === 'CHECK_DIGIT' ? 'CHECK_DIGIT' : 'INVALID_CERTNO', `certno: ${first.message}`, `身份证号：${first.messageZh}`);
  }
  return r.normalized;
}

const f = <K extends RowField>(spec: FieldSpec<K>): FieldSpec<K> => spec;

/** Every roster field with its Chinese column names. Order = the canonical CSV column order. */
export const ROSTER_FIELDS = [
  f({ name: 'psn_no', zh: ['人员编号', '个人编号', '人员ID'], required: true, parse: parseCode(30, 'psn_no', '人员编号') }),
  f({ name: 'certno', zh: ['身份证号', '证件号码', '身份证号码', '公民身份号码'], aliases: ['id_no', 'idno'], required: true, parse: parseCertno }),
  f({ name: 'card_no', zh: ['社保卡号', '社会保障卡号', '卡号'], parse: parseCode(30, 'card_no', '社保卡号') }),
  f({ name: 'name', zh: ['姓名', '人员姓名', '患者姓名'], aliases: ['psn_name'], required: true, parse: parseText(50, 'name', '姓名') }),
  f({
    name: 'gender',
    zh: ['性别'],
    aliases: ['gend'],
    parse: enumParser<'1' | '2' | '9'>({ '1': '1', '2': '2', '9': '9', 男: '1', 女: '2', m: '1', f: '2', male: '1', female: '2', 未知: '9' }, 'gender', '性别', '1/2/男/女'),
  }),
  f({ name: 'birth_date', zh: ['出生日期'], aliases: ['brdy'], parse: (t) => parseDate(t, 'birth_date', '出生日期') }),
  f({
    name: 'insutype',
    zh: ['险种', '险种类型', '参保类型'],
    aliases: ['insurance'],
    required: true,
    parse: enumParser<'390' | '310'>(
      { '390': '390', '310': '310', 居民: '390', 城乡居民: '390', 城乡居民基本医疗保险: '390', 居民医保: '390', resident: '390', 职工: '310', 职工基本医疗保险: '310', 职工医保: '310', employee: '310' },
      'insutype',
      '险种',
      '390/310, 居民/职工, resident/employee',
    ),
  }),
  f({ name: 'region', zh: ['参保地区划', '参保地', '参保区划'], aliases: ['insuplc_admdvs'], parse: (t) => parseRegion(t, 'region', '参保地区划') }),
  f({ name: 'conditions', zh: ['病种', '两病病种', '两病类型', '慢病病种'], aliases: ['condition', 'disease'], required: true, parse: parseConditions }),
  f({
    name: 'management_class',
    zh: ['管理类别', '管理分类'],
    parse: enumParser<1 | 2>({ '1': 1, '2': 2, 一类: 1, 二类: 2, i: 1, ii: 2 }, 'management_class', '管理类别', '1/2, 一类/二类'),
  }),
  f({
    name: 'other_chronic_diseases',
    zh: ['其他慢性病数', '其他慢病数'],
    empty: 0,
    parse: (t) => {
      if (!/^\d{1,2}$/.test(t) || Number(t) > 20) return fail('INVALID_NUMBER', `other_chronic_diseases must be a whole number 0–20, got ${JSON.stringify(t)}`, `其他慢性病数必须是0至20的整数，收到 ${JSON.stringify(t)}`);
      return Number(t);
    },
  }),
  f({ name: 'chronic_disease_since', zh: ['门诊慢特病起始日期', '慢特病待遇开始日期', '门慢开始日期'], parse: (t) => parseDate(t, 'chronic_disease_since', '门诊慢特病起始日期') }),
  f({ name: 'designated_institution', zh: ['定点医疗机构编码', '定点机构编码', '两病定点机构'], parse: parseCode(30, 'designated_institution', '定点医疗机构编码') }),
  f({
    name: 'payment_mode',
    zh: ['支付方式', '付费方式'],
    empty: 'fee-for-service',
    parse: enumParser<PaymentMode>(
      { 'fee-for-service': 'fee-for-service', ffs: 'fee-for-service', 按项目: 'fee-for-service', 按项目付费: 'fee-for-service', capitation: 'capitation', 按人头: 'capitation', 按人头付费: 'capitation', 人头: 'capitation' },
      'payment_mode',
      '支付方式',
      'fee-for-service/capitation, 按项目/按人头',
    ),
  }),
  f({ name: 'capitation_institution', zh: ['按人头付费机构', '签约机构编码'], parse: parseCode(30, 'capitation_institution', '按人头付费机构') }),
  f({ name: 'capitation_start_month', zh: ['按人头付费起始月份', '签约起始月份'], parse: (t) => parseMonth(t, 'capitation_start_month', '按人头付费起始月份') }),
  f({ name: 'flagged_date', zh: ['标识日期', '认定日期'], parse: (t) => parseDate(t, 'flagged_date', '标识日期') }),
  f({
    name: 'flagged_by',
    zh: ['标识来源', '认定来源'],
    parse: enumParser<FlaggedBy>(
      { bureau: 'bureau', 医保: 'bureau', 医保推送: 'bureau', 医保部门: 'bureau', 'health-commission': 'health-commission', 卫健: 'health-commission', 卫健推送: 'health-commission', 卫生健康部门: 'health-commission', counter: 'counter', 柜台: 'counter', 柜台备案: 'counter', 备案: 'counter' },
      'flagged_by',
      '标识来源',
      'bureau/health-commission/counter, 医保推送/卫健推送/柜台备案',
    ),
  }),
  f({
    name: 'status',
    zh: ['状态', '人员状态', '标识状态'],
    empty: 'active',
    parse: enumParser<PatientStatus>(
      { active: 'active', 正常: 'active', 有效: 'active', 在册: 'active', stopped: 'stopped', stop: 'stopped', 停止: 'stopped', 终止: 'stopped', 暂停: 'stopped', 注销: 'stopped', 取消: 'stopped' },
      'status',
      '状态',
      'active/stopped, 正常/停止',
    ),
  }),
  f({ name: 'stopped_date', zh: ['停止日期', '终止日期'], parse: (t) => parseDate(t, 'stopped_date', '停止日期') }),
  f({ name: 'stopped_reason', zh: ['停止原因', '终止原因'], parse: parseText(200, 'stopped_reason', '停止原因') }),
  f({
    name: 'ec_token',
    zh: ['电子凭证令牌', '医保电子凭证'],
    aliases: ['ectoken'],
    parse: (t) => {
      if (!/^[A-Za-z0-9+/=_\-.:]{8,2048}$/.test(t)) return fail('INVALID_TOKEN', 'ec_token must be 8–2048 characters without spaces', '电子凭证令牌格式不正确');
      return t;
    },
  }),
  f({ name: 'pool_used', zh: ['本年统筹已支付', '年度已支付', '本年已报销'], parse: (t) => parseMoney(t, 'pool_used', '本年统筹已支付') }),
  f({ name: 'pool_used_as_of', zh: ['统筹支付截止日期', '已支付截至日期'], parse: (t) => parseDate(t, 'pool_used_as_of', '统筹支付截止日期') }),
  f({
    name: 'hypertension_grade',
    zh: ['高血压分级', '血压分级'],
    parse: enumParser<HypertensionGrade>({ '1': 1, '2': 2, '3': 3, 一级: 1, 二级: 2, 三级: 3, '1级': 1, '2级': 2, '3级': 3 }, 'hypertension_grade', '高血压分级', '1/2/3, 一级/二级/三级'),
  }),
  f({
    name: 'hypertension_risk',
    zh: ['危险分层', '高血压危险分层'],
    parse: enumParser<RiskGroup>(
      { low: 'low', medium: 'medium', high: 'high', 'very-high': 'very-high', 低危: 'low', 中危: 'medium', 高危: 'high', 很高危: 'very-high', 极高危: 'very-high', 低危组: 'low', 中危组: 'medium', 高危组: 'high', 很高危组: 'very-high' },
      'hypertension_risk',
      '危险分层',
      'low/medium/high/very-high, 低危/中危/高危/很高危',
    ),
  }),
  f({ name: 'secondary_hypertension', zh: ['继发性高血压'], parse: (t) => parseFlag(t, 'secondary_hypertension', '继发性高血压') }),
] as const satisfies readonly FieldSpec<RowField>[];

const DEFAULTS: Omit<RosterRecord, 'psn_no' | 'name' | 'insutype' | 'conditions' | 'certno'> = {
  card_no: null,
  gender: null,
  birth_date: null,
  region: null,
  management_class: null,
  other_chronic_diseases: 0,
  chronic_disease_since: null,
  designated_institution: null,
  payment_mode: 'fee-for-service',
  capitation_institution: null,
  capitation_start_month: null,
  flagged_date: null,
  flagged_by: null,
  status: 'active',
  stopped_date: null,
  stopped_reason: null,
  ec_token: null,
  pool_used: null,
  pool_used_as_of: null,
};

const missing = (field: string, zh: string, blank: boolean): Problem => ({
  path: field,
  code: 'REQUIRED',
  message: blank ? `${field} must not be blank` : `${field} is required for a new patient`,
  messageZh: blank ? `${zh}不能为空` : `新增人员必须填写${zh}`,
});

/** Indexes of the required fields, in field order (the specs differ in shape: read once, not per row). */
const REQUIRED = ROSTER_FIELDS.flatMap((spec, i) => ('required' in spec && spec.required ? [i] : []));

const IDX = Object.fromEntries(ROSTER_FIELDS.map((f, i) => [f.name, i])) as Record<RowField, number>;

/**
 * Completes a parsed row (values in ROSTER_FIELDS order, undefined = column absent) into a
 * record: over `existing` when the patient is already on file (a delta row), else over the
 * defaults, checking required fields and the rules that tie fields together. Returns null when
 * there are problems (pushed to `problems`).
 */
export function completeRoster(v: readonly unknown[], existing: RosterRecord | null, problems: Problem[]): RosterRecord | null {
  const before = problems.length;
  for (const i of REQUIRED) {
    // Absent matters only for a new patient (a delta row may leave a column out); blank never passes.
    if (v[i] === null || (v[i] === undefined && !existing)) problems.push(missing(ROSTER_FIELDS[i]!.name, ROSTER_FIELDS[i]!.zh[0]!, existing !== null));
  }
  if (problems.length > before) return null;
  const b = existing ?? (DEFAULTS as RosterRecord);
  // A fixed-shape literal (no spread, no closure): this runs a million times per bureau file.
  const r: RosterRecord = {
    psn_no: (v[IDX.psn_no] === undefined ? b.psn_no : v[IDX.psn_no]) as RosterRecord['psn_no'],
    certno: (v[IDX.certno] === undefined ? b.certno : v[IDX.certno]) as RosterRecord['certno'],
    card_no: (v[IDX.card_no] === undefined ? b.card_no : v[IDX.card_no]) as RosterRecord['card_no'],
    name: (v[IDX.name] === undefined ? b.name : v[IDX.name]) as RosterRecord['name'],
    gender: (v[IDX.gender] === undefined ? b.gender : v[IDX.gender]) as RosterRecord['gender'],
    birth_date: (v[IDX.birth_date] === undefined ? b.birth_date : v[IDX.birth_date]) as RosterRecord['birth_date'],
    insutype: (v[IDX.insutype] === undefined ? b.insutype : v[IDX.insutype]) as RosterRecord['insutype'],
    region: (v[IDX.region] === undefined ? b.region : v[IDX.region]) as RosterRecord['region'],
    conditions: (v[IDX.conditions] === undefined ? b.conditions : v[IDX.conditions]) as RosterRecord['conditions'],
    management_class: (v[IDX.management_class] === undefined ? b.management_class : v[IDX.management_class]) as RosterRecord['management_class'],
    other_chronic_diseases: (v[IDX.other_chronic_diseases] === undefined ? b.other_chronic_diseases : v[IDX.other_chronic_diseases]) as RosterRecord['other_chronic_diseases'],
    chronic_disease_since: (v[IDX.chronic_disease_since] === undefined ? b.chronic_disease_since : v[IDX.chronic_disease_since]) as RosterRecord['chronic_disease_since'],
    designated_institution: (v[IDX.designated_institution] === undefined ? b.designated_institution : v[IDX.designated_institution]) as RosterRecord['designated_institution'],
    payment_mode: (v[IDX.payment_mode] === undefined ? b.payment_mode : v[IDX.payment_mode]) as RosterRecord['payment_mode'],
    capitation_institution: (v[IDX.capitation_institution] === undefined ? b.capitation_institution : v[IDX.capitation_institution]) as RosterRecord['capitation_institution'],
    capitation_start_month: (v[IDX.capitation_start_month] === undefined ? b.capitation_start_month : v[IDX.capitation_start_month]) as RosterRecord['capitation_start_month'],
    flagged_date: (v[IDX.flagged_date] === undefined ? b.flagged_date : v[IDX.flagged_date]) as RosterRecord['flagged_date'],
    flagged_by: (v[IDX.flagged_by] === undefined ? b.flagged_by : v[IDX.flagged_by]) as RosterRecord['flagged_by'],
    status: (v[IDX.status] === undefined ? b.status : v[IDX.status]) as RosterRecord['status'],
    stopped_date: (v[IDX.stopped_date] === undefined ? b.stopped_date : v[IDX.stopped_date]) as RosterRecord['stopped_date'],
    stopped_reason: (v[IDX.stopped_reason] === undefined ? b.stopped_reason : v[IDX.stopped_reason]) as RosterRecord['stopped_reason'],
    ec_token: (v[IDX.ec_token] === undefined ? b.ec_token : v[IDX.ec_token]) as RosterRecord['ec_token'],
    pool_used: (v[IDX.pool_used] === undefined ? b.pool_used : v[IDX.pool_used]) as RosterRecord['pool_used'],
    pool_used_as_of: (v[IDX.pool_used_as_of] === undefined ? b.pool_used_as_of : v[IDX.pool_used_as_of]) as RosterRecord['pool_used_as_of'],
  };
  // A missing birth date or gender comes from the ID number (GB 11643 positions 7–14 and 17).
  if (r.certno !== null && r.certno.length === 18) {
    if (r.birth_date === null) r.birth_date = `${r.certno.slice(6, 10)}-${r.certno.slice(10, 12)}-${r.certno.slice(12, 14)}`;
    if (r.gender === null) r.gender = Number(r.certno[16]) % 2 === 1 ? '1' : '2';
  }
  if (r.status === 'active' && v[IDX.status] === 'active' && existing?.status === 'stopped') {
    // Re-activating clears the stop unless the row says otherwise.
    if (v[IDX.stopped_date] === undefined) r.stopped_date = null;
    if (v[IDX.stopped_reason] === undefined) r.stopped_reason = null;
  }
  if (r.status === 'stopped' && r.stopped_date === null) {
    problems.push({ path: 'stopped_date', code: 'STOP_WITHOUT_DATE', message: 'a stopped patient needs stopped_date', messageZh: '停止享受待遇的人员必须填写停止日期' });
  }
  if (r.payment_mode === 'capitation' && r.capitation_institution === null) {
    problems.push({ path: 'capitation_institution', code: 'CAPITATION_WITHOUT_INSTITUTION', message: 'capitation needs capitation_institution', messageZh: '按人头付费必须填写付费机构' });
  }
  const grade = v[IDX.hypertension_grade] as HypertensionGrade | null | undefined;
  const risk = v[IDX.hypertension_risk] as RiskGroup | null | undefined;
  const secondary = v[IDX.secondary_hypertension] as boolean | null | undefined;
  // Only a row that itself says something about the class is checked (most files carry neither;
  // a delta row that leaves the class out keeps what is on file).
  if (v[IDX.management_class] != null || (v[IDX.conditions] != null && r.management_class !== null) || grade != null || risk != null || secondary != null) {
    const decided = decideClass(r.management_class, { conditions: conditionList(r.conditions), hypertensionGrade: grade ?? null, riskGroup: risk ?? null, secondaryHypertension: secondary ?? null });
    if (decided.conflict) problems.push({ path: 'management_class', code: 'CLASS_CONTRADICTS_DIAGNOSIS', message: decided.conflict.message, messageZh: decided.conflict.messageZh });
    else r.management_class = decided.managementClass;
  }
  if ((r.pool_used === null) !== (r.pool_used_as_of === null)) {
    problems.push({ path: r.pool_used === null ? 'pool_used' : 'pool_used_as_of', code: 'POOL_USAGE_INCOMPLETE', message: 'pool_used and pool_used_as_of go together', messageZh: '本年统筹已支付金额与截止日期必须同时填写' });
  }
  return problems.length > before ? null : r;
}

/** The one validator: cells in ROSTER_FIELDS order (undefined = column absent) → record, or null with problems. */
export function validateRosterRow(cells: RawCells, problems: Problem[], existing: RosterRecord | null = null): RosterRecord | null {
  const before = problems.length;
  const values = parseCells(ROSTER_FIELDS, cells, problems);
  if (problems.length > before) return null;
  return completeRoster(values, existing, problems);
}

/** zod schema of a roster row (object with the English field names), same rules as the importer. */
export const RosterRowSchema = rowSchema(ROSTER_FIELDS, (cells, problems) => validateRosterRow(cells, problems));
