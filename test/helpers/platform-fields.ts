// The required fields of platform-fields.md, transcribed here for the tests on their own (not the
// simulator's table in core/simulator/required.ts, which was written with the adapter): each field
// with its type and length, so a message is checked against the reference itself.
//   s N    字符型, at most N characters          dt  日期时间型 yyyy-MM-dd HH:mm:ss
//   n a,b  数值型, a digits of which b decimals    d   日期型 yyyy-MM-dd
// A field marked `?` is optional: absent or empty passes, present it must have its type.

type FieldType = { kind: 's'; len: number } | { kind: 'n'; digits: number; decimals: number } | { kind: 'dt' } | { kind: 'd' };
interface Field {
  name: string;
  type: FieldType;
  optional: boolean;
}
interface NodeSpec {
  node: string;
  list: boolean;
  fields: Field[];
}

function parseType(t: string): FieldType {
  if (t === 'dt' || t === 'd') return { kind: t };
  const n = /^n(\d+),(\d+)$/.exec(t);
  if (n) return { kind: 'n', digits: Number(n[1]), decimals: Number(n[2]) };
  const s = /^s(\d+)$/.exec(t);
  if (s) return { kind: 's', len: Number(s[1]) };
  throw new Error(`bad field type ${t}`);
}

/** "psn_no:s30 begntime:dt medfee_sumamt:n16,2 invono?:s20" */
function fields(spec: string): Field[] {
  return spec
    .trim()
    .split(/\s+/)
    .map((f) => {
      const [rawName, t] = f.split(':') as [string, string];
      const optional = rawName.endsWith('?');
      return { name: optional ? rawName.slice(0, -1) : rawName, type: parseType(t), optional };
    });
}

const AMT = 'n16,2';

/** Request envelope (rows marked Y; dev_no, sign_no, cainfo, signtype with their lengths when present). */
export const ENVELOPE = fields(
  `infno:s6 msgid:s30 mdtrtarea_admvs:s6 insuplc_admdvs?:s6 recer_sys_code:s10 dev_no?:s100 dev_safe_info?:s2000 cainfo?:s1024 signtype?:s10 infver:s6 opter_type:s3 opter:s30 opter_name:s50 inf_time:dt fixmedins_code:s30 fixmedins_name:s200 sign_no?:s30`,
);

export const REQUIRED: Record<string, NodeSpec[]> = {
  '9001': [{ node: 'signIn', list: false, fields: fields('opter_no:s20 mac?:s20 ip:s20') }],
  '9002': [{ node: 'signOut', list: false, fields: fields('sign_no?:s30 opter_no?:s20') }],
  '2201': [{ node: 'data', list: false, fields: fields('psn_no:s30 insutype:s6 begntime:dt mdtrt_cert_type:s3 mdtrt_cert_no:s50 ipt_otp_no:s30 atddr_no:s30 dr_name:s50 dept_code:s30 dept_name:s100 caty:s6') }],
  '2203': [
    { node: 'mdtrtinfo', list: false, fields: fields('mdtrt_id:s30 psn_no:s30 med_type:s6 begntime:dt main_cond_dscr?:s1000 dise_codg?:s30 dise_name?:s500') },
    { node: 'diseinfo', list: true, fields: fields('diag_type:s3 diag_srt_no:n2,0 diag_code:s20 diag_name:s100 diag_dept:s50 dise_dor_no:s30 dise_dor_name:s50 diag_time:dt vali_flag:s3') },
  ],
  '2204': [
    {
      node: 'feedetail',
      list: true,
      fields: fields(
        `feedetl_sn:s30 mdtrt_id:s30 psn_no:s30 chrg_bchno:s30 dise_codg?:s30 rxno?:s30 rx_circ_flag:s3 fee_ocur_time:dt med_list_codg:s50 medins_list_codg:s150 det_item_fee_sumamt:${AMT} cnt:n16,4 pric:n16,6 sin_dos_dscr?:s200 used_frqu_dscr?:s200 prd_days?:n4,2 medc_way_dscr?:s200 bilg_dept_codg:s30 bilg_dept_name:s100 bilg_dr_codg:s30 bilg_dr_name:s50 hosp_appr_flag:s3`,
      ),
    },
  ],
  '2207': [
    {
      node: 'data',
      list: false,
      fields: fields(
        `psn_no:s30 mdtrt_cert_type:s3 mdtrt_cert_no:s50 med_type:s6 medfee_sumamt:${AMT} psn_setlway:s6 mdtrt_id:s30 chrg_bchno:s30 acct_used_flag:s1 insutype:s6 invono?:s20 fulamt_ownpay_amt:${AMT} overlmt_selfpay:${AMT} preselfpay_amt:${AMT} inscp_scp_amt:${AMT}`,
      ),
    },
  ],
  '2208': [{ node: 'data', list: false, fields: fields('setl_id:s30 mdtrt_id:s30 psn_no:s30') }],
  '2102': [
    { node: 'druginfo', list: false, fields: fields(`psn_no:s30 mdtrt_cert_type:s3 mdtrt_cert_no:s50 begntime?:dt medfee_sumamt:${AMT} invono?:s20 insutype:s6 med_type:s6 dise_codg?:s30 dise_name?:s500 acct_used_flag:s1`) },
    { node: 'drugdetail', list: true, fields: fields(`feedetl_sn:s30 rxno?:s30 rx_circ_flag:s3 fee_ocur_time:dt med_list_codg:s50 medins_list_codg:s150 det_item_fee_sumamt:${AMT} cnt:n16,4 pric:n16,6 bilg_dr_codg?:s30 bilg_dr_name?:s50`) },
  ],
  // 2101 药店预结算 takes the 2102 input (A2 T2102 serves both).
  '2101': [] as NodeSpec[],
  '2103': [{ node: 'data', list: false, fields: fields('setl_id:s30 mdtrt_id:s30 psn_no:s30') }],
  '2601': [{ node: 'data', list: false, fields: fields('psn_no:s30 omsgid:s30 oinfno:s4') }],
  '3201': [
    { node: 'data', list: false, fields: fields(`insutype:s6 clr_type:s6 setl_optins:s6 stmt_begndate:d stmt_enddate:d medfee_sumamt:${AMT} fund_pay_sumamt:${AMT} acct_pay:${AMT} fixmedins_setl_cnt:n10,0`) },
  ],
  '3202': [
    { node: 'data', list: false, fields: fields(`setl_optins:s6 file_qury_no:s30 stmt_begndate:d stmt_enddate:d medfee_sumamt:${AMT} fund_pay_sumamt:${AMT} cash_payamt:${AMT} fixmedins_setl_cnt:n10,0 clr_type?:s6`) },
  ],
  '9101': [{ node: 'fsUploadIn', list: false, fields: fields('filename:s200 fixmedins_code:s30') }],
  // A1i Input_9102 (pipe comments): 文件查询号 s30 Y, 文件名 s200 Y, 医药机构编号 s30 Y.
  '9102': [{ node: 'fsDownloadIn', list: false, fields: fields('file_qury_no:s30 filename:s200 fixmedins_code:s30') }],
};

const DT = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01]) ([01]\d|2[0-3]):[0-5]\d:[0-5]\d$/;
const D = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

function checkValue(path: string, v: unknown, f: Field): string | null {
  if (v === undefined || v === null || v === '') return f.optional ? null : `${path} is required`;
  const t = f.type;
  if (t.kind === 'n') {
    if (typeof v !== 'string' && typeof v !== 'number') return `${path} is not a number`;
    const m = /^-?(\d+)(?:\.(\d+))?$/.exec(String(v));
    if (!m) return `${path} (${JSON.stringify(v)}) is not a number`;
    if ((m[2] ?? '').length > t.decimals) return `${path} (${v}) has more than ${t.decimals} decimals`;
    if (m[1]!.replace(/^0+(?=\d)/, '').length > t.digits - t.decimals) return `${path} (${v}) has more than ${t.digits - t.decimals} integer digits`;
    return null;
  }
  if (typeof v !== 'string') return `${path} is not a string (${typeof v})`;
  if (t.kind === 'dt') return DT.test(v) ? null : `${path} (${JSON.stringify(v)}) is not yyyy-MM-dd HH:mm:ss`;
  if (t.kind === 'd') return D.test(v) ? null : `${path} (${JSON.stringify(v)}) is not yyyy-MM-dd`;
  return v.length > t.len ? `${path} is longer than ${t.len} characters (${v.length})` : null;
}

/** Every problem of an envelope against the reference: missing required fields, wrong type, too long. */
export function referenceProblems(env: Record<string, unknown>): string[] {
  const problems: string[] = [];
  for (const f of ENVELOPE) {
    const p = checkValue(f.name, env[f.name], f);
    if (p) problems.push(p);
  }
  if (typeof env.msgid === 'string' && env.msgid.length !== 30) problems.push(`msgid is ${env.msgid.length} characters, not 30`);
  const input = env.input;
  if (!input || typeof input !== 'object' || Array.isArray(input)) return [...problems, 'input is not an object'];
  // 参保地医保区划 is required once the input carries psn_no (platform-fields.md request envelope).
  if (JSON.stringify(input).includes('"psn_no"') && !env.insuplc_admdvs) problems.push('insuplc_admdvs is required with psn_no');
  const specs = REQUIRED[String(env.infno)];
  if (!specs) return [...problems, `no reference table for infno ${String(env.infno)}`];
  for (const spec of specs) {
    const node = (input as Record<string, unknown>)[spec.node];
    const items = spec.list ? node : [node];
    if (!Array.isArray(items) || items.length === 0 || items.some((i) => !i || typeof i !== 'object' || Array.isArray(i))) {
      problems.push(`input.${spec.node} is required${spec.list ? ' (a non-empty list)' : ''}`);
      continue;
    }
    items.forEach((item, i) => {
      for (const f of spec.fields) {
        const p = checkValue(`input.${spec.node}${spec.list ? `[${i}]` : ''}.${f.name}`, (item as Record<string, unknown>)[f.name], f);
        if (p) problems.push(p);
      }
    });
  }
  return problems;
}

REQUIRED['2101'] = REQUIRED['2102']!;

/** The transactions the reference table here covers. */
export const COVERED_INFNOS = Object.keys(REQUIRED);
