// The national platform's message envelope (platform-interface.md §1) and the zod schemas every
// reply goes through. A reply that does not parse is never a success and never a crash: the
// caller gets {ok:false} and treats the outcome as unknown (ambiguous).
import { z } from 'zod';
import { infTime } from './time.ts';
import type { RegionConfig } from './config.ts';

export interface Envelope {
  infno: string;
  msgid: string;
  mdtrtarea_admvs: string;
  insuplc_admdvs: string;
  recer_sys_code: string;
  dev_no: string;
  dev_safe_info: string;
  cainfo: string;
  signtype: string;
  infver: string;
  opter_type: string;
  opter: string;
  opter_name: string;
  inf_time: string;
  fixmedins_code: string;
  fixmedins_name: string;
  sign_no: string;
  input: Record<string, unknown>;
  /** Newer editions / Jiangsu (platform-fields.md request envelope); sent only where the region lists them. */
  fixmedins_soft_fcty?: string;
  enc_type?: string;
}

export interface EnvelopeContext {
  region: RegionConfig;
  mdtrtareaAdmvs: string;
  insuplcAdmdvs: string;
  institution: { code: string; name: string };
  operator: { id: string; name: string };
  /** The operator's 9001 sign_no for the day (empty only on 9001 itself). */
  signNo?: string;
  /** This counter's terminal number (设备编号). */
  devNo?: string;
}

export function buildEnvelope(infno: string, msgid: string, input: Record<string, unknown>, ctx: EnvelopeContext, at: Date): Envelope {
  return {
    infno,
    msgid,
    mdtrtarea_admvs: ctx.mdtrtareaAdmvs,
    insuplc_admdvs: ctx.insuplcAdmdvs,
    recer_sys_code: ctx.region.recerSysCode,
    dev_no: ctx.devNo ?? '',
    dev_safe_info: '',
    cainfo: '',
    signtype: '',
    infver: ctx.region.infver,
    opter_type: ctx.region.opterType,
    opter: ctx.operator.id,
    opter_name: ctx.operator.name,
    inf_time: infTime(at),
    fixmedins_code: ctx.institution.code,
    fixmedins_name: ctx.institution.name,
    sign_no: ctx.signNo ?? '',
    input,
    ...ctx.region.extraEnvelope,
  };
}

// ---------- replies ----------
// One output schema per transaction, field for field from platform-fields.md. Settlement-shaped
// replies name the patient's share differently (2207/2102/2208 psn_part_amt + psn_cash_pay, 2208
// sometimes pdn_cash_pay, 2103/5203 psn_pay + cash_payamt); each schema adds the same normalised
// `figures` so the outbox never reads one transaction's reply with another's names.

const DECIMAL = /^-?\d+(\.\d+)?$/;

/** An amount as the platform sends it (string or JSON number), returned as a canonical string. */
export const amount = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const text = typeof v === 'number' ? String(v) : v.trim();
  if (!DECIMAL.test(text)) {
    ctx.addIssue({ code: 'custom', message: `not an amount: ${JSON.stringify(v)}` });
    return z.NEVER;
  }
  return text;
});

const optAmount = amount.optional().nullable();
const str = z.union([z.string(), z.number()]).transform((v) => String(v));
const id = str.pipe(z.string().min(1).max(30));
const optStr = str.optional().nullable();

/** What every settlement-shaped reply says, in one set of names (amounts as decimal strings). */
export interface SettlementFigures {
  setlId: string;
  mdtrtId: string | null;
  psnNo: string | null;
  medinsSetlId: string | null;
  medfee: string;
  fund: string;
  patient: string;
  acct: string;
  cash: string | null;
  inScope: string | null;
  insutype: string | null;
  clrType: string | null;
  clrOptins: string | null;
  refdSetlFlag: string | null;
}

/** Fields common to every setlinfo (the setlinfo table's rows marked ✓ in all columns). */
const setlinfoCommon = {
  setl_id: id,
  mdtrt_id: id,
  setl_time: z.string().min(1),
  medfee_sumamt: amount,
  fulamt_ownpay_amt: optAmount,
  overlmt_selfpay: optAmount,
  preselfpay_amt: optAmount,
  inscp_scp_amt: optAmount,
  act_pay_dedc: optAmount,
  hifp_pay: amount,
  pool_prop_selfpay: optAmount,
  cvlserv_pay: optAmount,
  hifes_pay: optAmount,
  hifmi_pay: optAmount,
  hifob_pay: optAmount,
  maf_pay: optAmount,
  oth_pay: optAmount,
  fund_pay_sumamt: amount,
  acct_pay: amount,
  balc: optAmount,
  acct_mulaid_pay: optAmount,
  medins_setl_id: id,
  clr_optins: optStr,
};
const personBlock = {
  psn_no: id,
  psn_name: optStr,
  psn_cert_type: optStr,
  certno: optStr,
  gend: optStr,
  naty: optStr,
  brdy: optStr,
  age: optAmount,
  insutype: optStr,
  psn_type: optStr,
  cvlserv_flag: optStr,
  mdtrt_cert_type: optStr,
  med_type: optStr,
  clr_way: optStr,
  clr_type: optStr,
};

function figuresOf(s: Record<string, unknown>, patient: string, cash: string | null): SettlementFigures {
  const o = (k: string) => (s[k] === undefined || s[k] === null ? null : String(s[k]));
  return {
    setlId: String(s.setl_id),
    mdtrtId: o('mdtrt_id'),
    psnNo: o('psn_no'),
    medinsSetlId: o('medins_setl_id'),
    medfee: String(s.medfee_sumamt),
    fund: String(s.fund_pay_sumamt),
    patient,
    acct: String(s.acct_pay),
    cash,
    inScope: o('inscp_scp_amt'),
    insutype: o('insutype'),
    clrType: o('clr_type'),
    clrOptins: o('clr_optins'),
    refdSetlFlag: o('refd_setl_flag'),
  };
}

/** 2207 门诊结算 setlinfo (A1o Output_2207): the person block, psn_part_amt, psn_cash_pay, hosp_part_amt. */
export const Setlinfo2207Schema = z.object({ ...setlinfoCommon, ...personBlock, psn_part_amt: amount, psn_cash_pay: amount, hosp_part_amt: optAmount }).passthrough();
/** 2102 药店结算 setlinfo (A2 RT2102): as 2207 without hosp_part_amt. */
export const Setlinfo2102Schema = z.object({ ...setlinfoCommon, ...personBlock, psn_part_amt: amount, psn_cash_pay: amount }).passthrough();
/** 2208 门诊结算撤销 setlinfo: A1o has no person block and spells 个人现金支出 pdn_cash_pay; A2 has the full 2207 set. */
export const Setlinfo2208Schema = z
  .object({ ...setlinfoCommon, psn_no: optStr, insutype: optStr, clr_type: optStr, psn_part_amt: amount, psn_cash_pay: optAmount, pdn_cash_pay: optAmount, hosp_part_amt: optAmount })
  .passthrough()
  .refine((s) => s.psn_cash_pay != null || s.pdn_cash_pay != null, { message: 'psn_cash_pay (or pdn_cash_pay) is required', path: ['psn_cash_pay'] });
/** 2103 药店结算撤销 setlinfo (A2 RT2103): psn_pay and cash_payamt, no person block, no clr_type. */
export const Setlinfo2103Schema = z.object({ ...setlinfoCommon, psn_pay: amount, cash_payamt: amount }).passthrough();
/** 5203 结算信息查询 setlinfo (A5 JS5203): psn_pay / cash_payamt plus the query-only fields. */
export const Setlinfo5203Schema = z
  .object({ ...setlinfoCommon, ...personBlock, psn_pay: amount, cash_payamt: amount, refd_setl_flag: str, fixmedins_code: optStr, year: optStr })
  .passthrough();

export const SetldetailSchema = z
  .object({ fund_pay_type: str, inscp_scp_amt: amount, crt_payb_lmt_amt: optAmount, fund_payamt: amount, fund_pay_type_name: optStr, setl_proc_info: optStr })
  .passthrough();

/** detlcutinfo (2102) and result (2204): the per-line split. */
export const DetlcutSchema = z
  .object({
    feedetl_sn: id,
    det_item_fee_sumamt: amount,
    cnt: amount,
    pric: amount,
    pric_uplmt_amt: optAmount,
    selfpay_prop: optAmount,
    fulamt_ownpay_amt: optAmount,
    overlmt_amt: optAmount,
    preselfpay_amt: optAmount,
    inscp_scp_amt: optAmount,
    chrgitm_lv: optStr,
    med_chrgitm_type: optStr,
    memo: optStr,
  })
  .passthrough();
/** 2204 result[] additionally requires the limits and classification (A1o Output_2204). */
export const FeeResultSchema = DetlcutSchema.extend({ pric_uplmt_amt: amount, chrgitm_lv: str, med_chrgitm_type: str, lmt_used_flag: str });

const detailList = z.array(SetldetailSchema).default([]);

export const Output2207Schema = z
  .object({ setlinfo: Setlinfo2207Schema, setldetail: detailList })
  .transform((o) => ({ ...o, detlcutinfo: [] as z.output<typeof DetlcutSchema>[], figures: figuresOf(o.setlinfo, o.setlinfo.psn_part_amt, o.setlinfo.psn_cash_pay) }));
export const Output2102Schema = z
  .object({ setlinfo: Setlinfo2102Schema, setldetail: detailList, detlcutinfo: z.array(DetlcutSchema).default([]) })
  .transform((o) => ({ ...o, figures: figuresOf(o.setlinfo, o.setlinfo.psn_part_amt, o.setlinfo.psn_cash_pay) }));
/** 2101 药店预结算: the 2102 shape (A2 T2102 serves both), but a pre-settlement creates no settlement, so setl_id and medins_setl_id may be absent (as 2206's in A1o). */
export const Setlinfo2101Schema = Setlinfo2102Schema.extend({ setl_id: optStr, mdtrt_id: optStr, medins_setl_id: optStr });
export const Output2101Schema = z
  .object({ setlinfo: Setlinfo2101Schema, setldetail: detailList, detlcutinfo: z.array(DetlcutSchema).default([]) })
  .transform((o) => ({ ...o, figures: { ...figuresOf(o.setlinfo, o.setlinfo.psn_part_amt, o.setlinfo.psn_cash_pay), setlId: o.setlinfo.setl_id ?? '' } }));
export const Output2208Schema = z
  .object({ setlinfo: Setlinfo2208Schema, setldetail: detailList })
  .transform((o) => ({ ...o, detlcutinfo: [] as z.output<typeof DetlcutSchema>[], figures: figuresOf(o.setlinfo, o.setlinfo.psn_part_amt, o.setlinfo.psn_cash_pay ?? o.setlinfo.pdn_cash_pay ?? null) }));
export const Output2103Schema = z
  .object({ setlinfo: Setlinfo2103Schema, setldetail: detailList })
  .transform((o) => ({ ...o, detlcutinfo: [] as z.output<typeof DetlcutSchema>[], figures: figuresOf(o.setlinfo, o.setlinfo.psn_pay, o.setlinfo.cash_payamt) }));
/** A5 declares 5203 setldetail as one object; every other anchor a list: both are accepted. */
export const Output5203Schema = z
  .object({ setlinfo: Setlinfo5203Schema, setldetail: z.union([z.array(SetldetailSchema), SetldetailSchema.transform((d) => [d])]).default([]) })
  .transform((o) => ({ ...o, detlcutinfo: [] as z.output<typeof DetlcutSchema>[], figures: figuresOf(o.setlinfo, o.setlinfo.psn_pay, o.setlinfo.cash_payamt) }));

export type SettleOutput = z.output<typeof Output2207Schema> | z.output<typeof Output2102Schema> | z.output<typeof Output2208Schema> | z.output<typeof Output2103Schema> | z.output<typeof Output5203Schema>;

/** 9001 签到 → signinoutb {sign_time, sign_no}. */
export const Output9001Schema = z.object({ signinoutb: z.object({ sign_time: z.string().min(1), sign_no: id }).passthrough() });
/** 9002 签退 → signoutoutb {sign_time} (optional in both anchors). */
export const Output9002Schema = z.object({ signoutoutb: z.object({ sign_time: optStr }).passthrough().optional().nullable() }).passthrough();
/** 2201 门诊挂号 → data {mdtrt_id, psn_no, ipt_otp_no}. */
export const Output2201Schema = z.object({ data: z.object({ mdtrt_id: id, psn_no: id, ipt_otp_no: id }).passthrough() });
/** 2203/2203A, 2601: no output node in any anchor (whatever comes is kept, never required). */
export const EmptyOutputSchema = z.union([z.record(z.string(), z.unknown()), z.null()]).transform((o) => o ?? {});
/** 2204 门诊费用明细上传 → result[]. */
export const Output2204Schema = z.object({ result: z.array(FeeResultSchema).min(1) });
/** 3201 对总账 → stmtinfo. */
export const Output3201Schema = z.object({ stmtinfo: z.object({ setl_optins: optStr, stmt_rslt: str.pipe(z.string().min(1)), stmt_rslt_dscr: optStr }).passthrough() });
/** 9101 文件上传 → {file_qury_no, filename, dld_endtime} (A1o Output_9101). */
export const Output9101Schema = z.object({ file_qury_no: id, filename: str, dld_endtime: optStr }).passthrough();
/** 3202 明细对账 → fileinfo, and the result rows that differ (A1o Output_3202). */
export const Output3202Schema = z.object({
  fileinfo: z.object({ file_qury_no: id, filename: str, dld_endtime: optStr }).passthrough(),
  result: z
    .array(z.object({ psn_no: optStr, mdtrt_id: optStr, setl_id: id, msgid: optStr, stmt_rslt: str, refd_setl_flag: optStr, memo: optStr, medfee_sumamt: optAmount, fund_pay_sumamt: optAmount, acct_pay: optAmount }).passthrough())
    .default([]),
});
/** 1101 人员信息获取 → baseinfo, insuinfo[], idetinfo[] (A1o Output_1101). */
export const Output1101Schema = z.object({
  baseinfo: z.object({ psn_no: id, psn_cert_type: optStr, certno: str, psn_name: str, gend: optStr, naty: optStr, brdy: optStr, age: optAmount }).passthrough(),
  insuinfo: z
    .array(z.object({ balc: amount, insutype: str, psn_type: optStr, psn_insu_stas: optStr, psn_insu_date: optStr, paus_insu_date: optStr, cvlserv_flag: optStr, insuplc_admdvs: str.pipe(z.string().regex(/^\d{6}$/)), emp_name: optStr }).passthrough())
    .max(50)
    .default([]),
  idetinfo: z.array(z.object({ psn_idet_type: optStr, psn_type_lv: optStr, memo: optStr, begntime: optStr, endtime: optStr }).passthrough()).max(50).default([]),
});
const Filing5301 = z.object({ opsp_dise_code: str.pipe(z.string().min(1).max(30)), opsp_dise_name: str, begndate: str.pipe(z.string().min(10)), enddate: optStr }).passthrough();
/** 5301 慢特病备案查询 → feedetail: one object (A1o) or a list (A2); always a list here. */
export const Output5301Schema = z.object({
  feedetail: z
    .union([z.array(Filing5301).max(100), Filing5301.transform((f) => [f])])
    .optional()
    .nullable()
    .transform((v) => v ?? []),
});
const Dispensed5205 = z
  .object({ feedetl_sn: optStr, fixmedins_code: str, fixmedins_name: optStr, psn_no: optStr, fee_ocur_time: str.pipe(z.string().min(10)), cnt: amount, pric: optAmount, med_list_codg: str, hilist_name: optStr, spec: optStr, prd_days: optStr, memo: optStr })
  .passthrough();
/** 5205 慢特病用药记录: rows of dispensing elsewhere (A5 Out5205; the node name is not shown there: feedetail, or data). */
export const Output5205Schema = z
  .object({ feedetail: z.array(Dispensed5205).max(5000).optional().nullable(), data: z.array(Dispensed5205).max(5000).optional().nullable() })
  .transform((o) => ({ rows: o.feedetail ?? o.data ?? [] }));
/** 1312 医保目录信息查询: one page of the national list (hilist_code, hilist_name, chrgitm_lv 01 甲 / 02 乙 / 03 自费) and the page count. */
export const Output1312Schema = z.object({
  data: z
    .array(z.object({ hilist_code: str.pipe(z.string().min(1).max(50)), hilist_name: str.pipe(z.string().min(1).max(200)), chrgitm_lv: optStr, list_type: optStr, begndate: optStr, enddate: optStr, vali_flag: optStr, updt_time: optStr }).passthrough())
    .max(5000)
    .default([]),
  pages: z.union([z.number(), z.string()]).optional().nullable().transform((v) => (v == null ? null : Number(v))),
  recordCounts: z.union([z.number(), z.string()]).optional().nullable().transform((v) => (v == null ? null : Number(v))),
});
/** 1301–1319 目录下载 → the file to fetch with 9102 (A1o Output_13: file_qury_no, filename, dld_end_time, data_cn). */
export const Output1301Schema = z
  .object({ file_qury_no: id, filename: str.pipe(z.string().min(1).max(200)), dld_end_time: optStr, data_cn: z.union([z.string(), z.number()]).optional().nullable().transform((v) => (v == null || v === '' ? null : Number(v))) })
  .passthrough();
export const AnyOutputSchema = z.unknown();

/** The output schema of each transaction the product sends. */
export const OUTPUT_SCHEMAS = {
  '9001': Output9001Schema,
  '9002': Output9002Schema,
  '2201': Output2201Schema,
  '2203': EmptyOutputSchema,
  '2203A': EmptyOutputSchema,
  '2204': Output2204Schema,
  '2207': Output2207Schema,
  '2208': Output2208Schema,
  '2101': Output2101Schema,
  '2102': Output2102Schema,
  '2102A': Output2102Schema,
  '2103': Output2103Schema,
  '2601': EmptyOutputSchema,
  '5203': Output5203Schema,
  '3201': Output3201Schema,
  '9101': Output9101Schema,
  '3202': Output3202Schema,
  '1101': Output1101Schema,
  '5301': Output5301Schema,
  '5205': Output5205Schema,
  '3505': EmptyOutputSchema,
  '1312': Output1312Schema,
  '1301': Output1301Schema,
  '3301': EmptyOutputSchema,
} as const;
export type KnownInfno = keyof typeof OUTPUT_SCHEMAS;
export type OutputOf<K extends KnownInfno> = z.output<(typeof OUTPUT_SCHEMAS)[K]>;

export function isKnownInfno(infno: string): infno is KnownInfno {
  return Object.hasOwn(OUTPUT_SCHEMAS, infno);
}

/** The typed output schema for a transaction code. */
export function outputSchemaFor<K extends KnownInfno>(infno: K): (typeof OUTPUT_SCHEMAS)[K] {
  return OUTPUT_SCHEMAS[infno];
}

const ReplyEnvelopeSchema = z
  .object({
    infcode: z.union([z.number(), z.string()]).transform((v, ctx) => {
      // Number('') and Number(' ') are 0, Number('0x0') and Number('1e0') too: only digits may be read as a code.
      const n = typeof v === 'string' && !/^\s*-?\d+\s*$/.test(v) ? NaN : Number(v);
      if (n !== 0 && n !== -1) {
        ctx.addIssue({ code: 'custom', message: `infcode must be 0 or -1, got ${JSON.stringify(v)}` });
        return z.NEVER;
      }
      return n as 0 | -1;
    }),
    inf_refmsgid: z.string().optional().nullable(),
    refmsg_time: z.string().optional().nullable(),
    respond_time: z.string().optional().nullable(),
    err_msg: z.string().optional().nullable(),
    warn_msg: z.string().optional().nullable(),
    output: z.unknown().optional().nullable(),
  })
  .passthrough();

export interface Reply<T = unknown> {
  infcode: 0 | -1;
  inf_refmsgid: string | null;
  err_msg: string | null;
  warn_msg: string | null;
  /** The transaction's output as its schema parsed it (on infcode 0); null on a refusal. */
  output: T;
  raw: Record<string, unknown>;
}

export type ParsedReply<T = unknown> = { ok: true; reply: Reply<T> } | { ok: false; error: string };

/** Parses a reply body: JSON, the envelope, and (on success) the output schema for the transaction. */
export function parseReply<S extends z.ZodType = typeof AnyOutputSchema>(body: string, outputSchema?: S): ParsedReply<z.output<S>> {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (e) {
    return { ok: false, error: `reply is not JSON (${(e as Error).message}); ${body.length} bytes` };
  }
  const env = ReplyEnvelopeSchema.safeParse(json);
  if (!env.success) return { ok: false, error: `reply envelope invalid: ${env.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}` };
  const e = env.data;
  const reply: Reply<unknown> = { infcode: e.infcode, inf_refmsgid: e.inf_refmsgid ?? null, err_msg: e.err_msg ?? null, warn_msg: e.warn_msg ?? null, output: e.output ?? null, raw: json as Record<string, unknown> };
  if (reply.infcode === 0) {
    const out = (outputSchema ?? AnyOutputSchema).safeParse(reply.output ?? {});
    if (!out.success) return { ok: false, error: `reply output invalid: ${out.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}` };
    reply.output = out.data;
  } else if (!reply.err_msg) {
    return { ok: false, error: 'a failure reply (infcode -1) without err_msg' };
  }
  return { ok: true, reply: reply as Reply<z.output<S>> };
}
