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
}

export interface EnvelopeContext {
  region: RegionConfig;
  mdtrtareaAdmvs: string;
  insuplcAdmdvs: string;
  institution: { code: string; name: string };
  operator: { id: string; name: string };
  signNo?: string;
}

export function buildEnvelope(infno: string, msgid: string, input: Record<string, unknown>, ctx: EnvelopeContext, at: Date): Envelope {
  return {
    infno,
    msgid,
    mdtrtarea_admvs: ctx.mdtrtareaAdmvs,
    insuplc_admdvs: ctx.insuplcAdmdvs,
    recer_sys_code: ctx.region.recerSysCode,
    dev_no: '',
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
  };
}

// ---------- replies ----------

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

export const SetlinfoSchema = z
  .object({
    setl_id: str.pipe(z.string().min(1)),
    mdtrt_id: str.optional().nullable(),
    psn_no: str.optional().nullable(),
    medfee_sumamt: amount,
    fund_pay_sumamt: amount,
    psn_part_amt: amount,
    acct_pay: optAmount,
    psn_cash_pay: optAmount,
    hifp_pay: optAmount,
    inscp_scp_amt: optAmount,
    fulamt_ownpay_amt: optAmount,
    setl_time: z.string().optional().nullable(),
    medins_setl_id: str.optional().nullable(),
  })
  .passthrough();
export type Setlinfo = z.output<typeof SetlinfoSchema>;

export const SetldetailSchema = z
  .object({ fund_pay_type: str, fund_payamt: amount, inscp_scp_amt: optAmount, fund_pay_type_name: z.string().optional().nullable() })
  .passthrough();

export const DetlcutSchema = z
  .object({ feedetl_sn: str, det_item_fee_sumamt: amount, cnt: optAmount, pric: optAmount, inscp_scp_amt: optAmount, fulamt_ownpay_amt: optAmount, selfpay_prop: optAmount })
  .passthrough();

export const SettleOutputSchema = z.object({
  setlinfo: SetlinfoSchema,
  setldetail: z.array(SetldetailSchema).default([]),
  detlcutinfo: z.array(DetlcutSchema).default([]),
});
export type SettleOutput = z.output<typeof SettleOutputSchema>;

export const RegisterOutputSchema = z.object({ data: z.object({ mdtrt_id: str.pipe(z.string().min(1)), psn_no: str.optional(), ipt_otp_no: str.optional() }).passthrough() });
export const FeesOutputSchema = z.object({ result: z.array(DetlcutSchema).default([]) });
export const AnyOutputSchema = z.unknown();
export const QueryOutputSchema = z.object({
  msginfo: z.object({ omsgid: z.string(), status: z.enum(['done', 'reversed', 'unknown', 'refused']), output: z.unknown().optional(), infcode: z.number().optional() }),
});
export const StmtOutputSchema = z.object({ stmtinfo: z.object({ setl_optins: str.optional().nullable(), stmt_rslt: str, stmt_rslt_dscr: z.string().optional().nullable() }).passthrough() });

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

export interface Reply {
  infcode: 0 | -1;
  inf_refmsgid: string | null;
  err_msg: string | null;
  warn_msg: string | null;
  output: unknown;
  raw: Record<string, unknown>;
}

export type ParsedReply = { ok: true; reply: Reply } | { ok: false; error: string };

/** Parses a reply body: JSON, the envelope, and (on success) the output schema for the transaction. */
export function parseReply(body: string, outputSchema: z.ZodType = AnyOutputSchema): ParsedReply {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (e) {
    return { ok: false, error: `reply is not JSON (${(e as Error).message}); ${body.length} bytes` };
  }
  const env = ReplyEnvelopeSchema.safeParse(json);
  if (!env.success) return { ok: false, error: `reply envelope invalid: ${env.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}` };
  const e = env.data;
  const reply: Reply = { infcode: e.infcode, inf_refmsgid: e.inf_refmsgid ?? null, err_msg: e.err_msg ?? null, warn_msg: e.warn_msg ?? null, output: e.output ?? null, raw: json as Record<string, unknown> };
  if (reply.infcode === 0) {
    const out = outputSchema.safeParse(reply.output ?? {});
    if (!out.success) return { ok: false, error: `reply output invalid: ${out.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}` };
    reply.output = out.data;
  } else if (!reply.err_msg) {
    return { ok: false, error: 'a failure reply (infcode -1) without err_msg' };
  }
  return { ok: true, reply };
}

export function outputSchemaFor(action: 'register' | 'visit' | 'fees' | 'settle' | 'reverse' | 'cancel' | 'query' | 'stmt'): z.ZodType {
  switch (action) {
    case 'register':
      return RegisterOutputSchema;
    case 'fees':
      return FeesOutputSchema;
    case 'settle':
    case 'reverse':
      return SettleOutputSchema;
    case 'query':
      return QueryOutputSchema;
    case 'stmt':
      return StmtOutputSchema;
    default:
      return AnyOutputSchema;
  }
}
