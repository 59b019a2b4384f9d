// What the simulated platform requires of each transaction, from platform-fields.md (fields
// marked Y, with their lengths; `n` = a decimal amount, `dt` / `d` a date-time / date in the
// reference's format). A message missing one is refused at the gateway, before any business
// processing, as the national platform does.

type Spec = { node: string; list: boolean; fields: string[] };

const AMT = 'n';

/** The envelope (request envelope table, rows marked Y). */
export const ENVELOPE_REQUIRED: Record<string, number | 'dt'> = {
  infno: 6,
  msgid: 30,
  mdtrtarea_admvs: 6,
  recer_sys_code: 10,
  infver: 6,
  opter_type: 3,
  opter: 30,
  opter_name: 50,
  inf_time: 'dt',
  fixmedins_code: 30,
  fixmedins_name: 200,
};

const f = (s: string) => s.split(' ');

export const INPUT_REQUIRED: Record<string, Spec[]> = {
  '9001': [{ node: 'signIn', list: false, fields: f('opter_no:20 ip:20') }],
  '9002': [{ node: 'signOut', list: false, fields: f('sign_no:30') }],
  '2201': [{ node: 'data', list: false, fields: f('psn_no:30 insutype:6 begntime:dt mdtrt_cert_type:3 mdtrt_cert_no:50 ipt_otp_no:30 atddr_no:30 dr_name:50 dept_code:30 dept_name:100 caty:6') }],
  '2203': [
    { node: 'mdtrtinfo', list: false, fields: f('mdtrt_id:30 psn_no:30 med_type:6 begntime:dt') },
    { node: 'diseinfo', list: true, fields: f('diag_type:3 diag_srt_no:2 diag_code:20 diag_name:100 diag_dept:50 dise_dor_no:30 dise_dor_name:50 diag_time:dt vali_flag:3') },
  ],
  '2204': [
    {
      node: 'feedetail',
      list: true,
      fields: f(
        `feedetl_sn:30 mdtrt_id:30 psn_no:30 chrg_bchno:30 rx_circ_flag:3 fee_ocur_time:dt med_list_codg:50 medins_list_codg:150 det_item_fee_sumamt:${AMT} cnt:${AMT} pric:${AMT} bilg_dept_codg:30 bilg_dept_name:100 bilg_dr_codg:30 bilg_dr_name:50 hosp_appr_flag:3`,
      ),
    },
  ],
  '2207': [
    {
      node: 'data',
      list: false,
      fields: f(
        `psn_no:30 mdtrt_cert_type:3 mdtrt_cert_no:50 med_type:6 medfee_sumamt:${AMT} psn_setlway:6 mdtrt_id:30 chrg_bchno:30 acct_used_flag:1 insutype:6 fulamt_ownpay_amt:${AMT} overlmt_selfpay:${AMT} preselfpay_amt:${AMT} inscp_scp_amt:${AMT}`,
      ),
    },
  ],
  '2208': [{ node: 'data', list: false, fields: f('setl_id:30 mdtrt_id:30 psn_no:30') }],
  '2102': [
    { node: 'druginfo', list: false, fields: f(`psn_no:30 mdtrt_cert_type:3 mdtrt_cert_no:50 medfee_sumamt:${AMT} insutype:6 med_type:6 acct_used_flag:1`) },
    { node: 'drugdetail', list: true, fields: f(`feedetl_sn:30 rx_circ_flag:3 fee_ocur_time:dt med_list_codg:50 medins_list_codg:150 det_item_fee_sumamt:${AMT} cnt:${AMT} pric:${AMT}`) },
  ],
  '2103': [{ node: 'data', list: false, fields: f('setl_id:30 mdtrt_id:30 psn_no:30') }],
  '2601': [{ node: 'data', list: false, fields: f('psn_no:30 omsgid:30 oinfno:6') }],
  '5203': [{ node: 'data', list: false, fields: f('psn_no:30 setl_id:30') }],
  '3201': [
    {
      node: 'data',
      list: false,
      fields: f(`insutype:6 clr_type:6 setl_optins:6 stmt_begndate:d stmt_enddate:d medfee_sumamt:${AMT} fund_pay_sumamt:${AMT} acct_pay:${AMT} fixmedins_setl_cnt:10`),
    },
  ],
};
INPUT_REQUIRED['9101'] = [{ node: 'fsUploadIn', list: false, fields: f('in:99999999 filename:200 fixmedins_code:30') }];
INPUT_REQUIRED['3202'] = [
  { node: 'data', list: false, fields: f(`setl_optins:6 file_qury_no:30 stmt_begndate:d stmt_enddate:d medfee_sumamt:${AMT} fund_pay_sumamt:${AMT} cash_payamt:${AMT} fixmedins_setl_cnt:10`) },
];
INPUT_REQUIRED['1101'] = [{ node: 'data', list: false, fields: f('mdtrt_cert_type:3 mdtrt_cert_no:50') }];
INPUT_REQUIRED['5301'] = [{ node: 'data', list: false, fields: f('psn_no:30') }];
INPUT_REQUIRED['5205'] = [{ node: 'data', list: false, fields: f('psn_no:30 begntime:dt') }];
INPUT_REQUIRED['3505'] = [
  {
    node: 'selinfo',
    list: true,
    fields: f(
      `med_list_codg:50 fixmedins_hilist_id:30 fixmedins_hilist_name:200 fixmedins_bchno:30 prsc_dr_name:50 phar_name:50 phar_prac_cert_no:50 mdtrt_sn:30 manu_lotnum:30 manu_date:d rx_flag:3 trdn_flag:3 rtal_docno:40 sel_retn_cnt:${AMT} sel_retn_time:dt sel_retn_opter_name:50`,
    ),
  },
];
INPUT_REQUIRED['1312'] = [{ node: 'data', list: false, fields: f('page_num:10 page_size:10') }];
INPUT_REQUIRED['1301'] = [{ node: 'data', list: false, fields: f('ver:20') }];
INPUT_REQUIRED['9102'] = [{ node: 'fsDownloadIn', list: false, fields: f('file_qury_no:30 filename:200 fixmedins_code:30') }];
INPUT_REQUIRED['3301'] = [{ node: 'data', list: true, fields: f('fixmedins_hilist_id:30 fixmedins_hilist_name:200 list_type:30 med_list_codg:50 begndate:d') }];
INPUT_REQUIRED['2203A'] = INPUT_REQUIRED['2203']!;
INPUT_REQUIRED['2102A'] = INPUT_REQUIRED['2102']!;
INPUT_REQUIRED['2101'] = INPUT_REQUIRED['2102']!;

const DECIMAL = /^-?\d+(\.\d+)?$/;
/** 日期时间型 yyyy-MM-dd HH:mm:ss and 日期型 yyyy-MM-dd (platform-fields.md; A2env InputRoot.cs). */
const DATETIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function checkValue(path: string, v: unknown, rule: string): string | null {
  const text = typeof v === 'number' ? String(v) : typeof v === 'string' ? v : null;
  if (text === null || text.length === 0) return `${path} is required`;
  if (rule === AMT) return DECIMAL.test(text) ? null : `${path} is not a number`;
  if (rule === 'dt') return DATETIME.test(text) ? null : `${path} is not yyyy-MM-dd HH:mm:ss`;
  if (rule === 'd') return DATE.test(text) ? null : `${path} is not yyyy-MM-dd`;
  return text.length > Number(rule) ? `${path} is longer than ${rule} characters` : null;
}

/** The first missing or malformed required field of an envelope, or null. */
export function missingField(env: Record<string, unknown>): string | null {
  for (const [k, max] of Object.entries(ENVELOPE_REQUIRED)) {
    const p = checkValue(k, env[k], String(max));
    if (p) return p;
  }
  if (typeof env.sign_no === 'string' && env.sign_no.length > 30) return 'sign_no is longer than 30 characters';
  const input = env.input as Record<string, unknown>;
  for (const spec of INPUT_REQUIRED[String(env.infno)] ?? []) {
    const node = input[spec.node];
    const items = spec.list ? node : [node];
    if (!Array.isArray(items) || items.length === 0 || items.some((i) => !i || typeof i !== 'object')) return `input.${spec.node} is required`;
    for (const [i, item] of items.entries()) {
      for (const field of spec.fields) {
        const [name, rule] = field.split(':') as [string, string];
        const p = checkValue(`input.${spec.node}${spec.list ? `[${i}]` : ''}.${name}`, (item as Record<string, unknown>)[name], rule);
        if (p) return p;
      }
    }
  }
  return null;
}
