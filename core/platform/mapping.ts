// Our records in the national field names and code tables (platform-interface.md §2–3):
// insutype 310/390, mdtrt_cert_type 01/02/03, the region's med_type, the M03900/M01600 chronic
// disease codes, feedetl_sn per line. Money and quantities go as decimal strings, never floats.
import type { LineRow, SettlementRow } from '../store/journal.ts';
import type { Step } from '../store/outbox.ts';
import type { RegionConfig } from './config.ts';
import { infTime } from './time.ts';
import { Decimal, fen } from '../money/decimal.ts';

export interface StoredPatient {
  psnNo: string;
  certType: '01' | '02' | '03';
  certNo: string;
  cardSn?: string | null;
  certno?: string | null;
  name?: string;
  insutype: '310' | '390';
  insuplcAdmdvs?: string | null;
  conditions: ('hypertension' | 'diabetes')[];
  managementClass?: number | null;
  region?: string | null;
  /** An employee's answer to "use the personal account?" (acct_used_flag); absent = no. */
  acctUsed?: boolean | null;
}

/** A staff member's national codes (医保医师/药师编码, 3401 department); absent fields fall back to the operator and the region's department. */
export interface StaffCodes {
  drCode?: string;
  drName?: string;
  deptCode?: string;
  deptName?: string;
  caty?: string;
}

export interface LineFacts {
  kind: 'drug' | 'exam';
  listed: boolean;
  vbp: boolean;
  paymentStandard: string | null;
  spec?: string | null;
}

export interface MappingContext {
  region: RegionConfig;
  /** The record this message belongs to (sale, reversal or return). */
  record: SettlementRow;
  /** The sale the record belongs to (the record itself for a sale). */
  sale: SettlementRow;
  patient: StoredPatient;
  /** The lines this message settles: the sale's, or for a return the lines the patient kept. */
  lines: LineRow[];
  amounts: { total: string; inScope: string };
  /** mdtrt_id learned from this row's own 2201 (clinics). */
  mdtrtId: string | null;
  /** What a reverse step undoes: the platform's settlement currently standing for the sale. */
  target: { setlId: string; mdtrtId: string | null } | null;
  hints: boolean;
  at: Date;
  /** The operator's national codes, when the institution has mapped them. */
  staff?: StaffCodes | null;
  /** The platform's setl_id of this record's settlement (known once its settle step is acked). */
  setlId?: string | null;
}

/**
 * The certificate sent with the message. A 医保电子凭证 token (01) refreshes about every minute
 * (platform-interface.md §4), so an upload made after the region's ecTokenValidMinutes falls back
 * to the ID number (02) when the patient's is known; otherwise the token goes as it was read.
 */
export function certificate(ctx: Pick<MappingContext, 'patient' | 'record' | 'region' | 'at'>): { mdtrt_cert_type: string; mdtrt_cert_no: string } {
  const p = ctx.patient;
  if (p.certType === '01' && p.certno) {
    const age = ctx.at.getTime() - Date.parse(ctx.record.settled_at);
    if (age > ctx.region.ecTokenValidMinutes * 60_000) return { mdtrt_cert_type: '02', mdtrt_cert_no: p.certno };
  }
  return { mdtrt_cert_type: p.certType, mdtrt_cert_no: p.certNo };
}

/** The chronic-disease code sent as dise_codg: hypertension first when the patient has both. */
export function diseaseFor(region: RegionConfig, conditions: readonly string[]): RegionConfig['diseaseCodes']['hypertension'] {
  return conditions.includes('hypertension') ? region.diseaseCodes.hypertension : region.diseaseCodes.diabetes;
}

/** The record's service date (the journal's settle_date, Beijing) at the time of day it was settled. */
function begntime(ctx: MappingContext): string {
  return `${ctx.record.settle_date} ${infTime(new Date(ctx.record.settled_at)).slice(11)}`;
}

/** Raised when the province requires national staff codes and the operator has none. */
export class StaffCodeMissing extends Error {
  constructor(readonly operatorId: string, readonly operatorName: string) {
    super(`operator ${operatorId} (${operatorName}) has no national doctor/pharmacist code; the region requires one (set it with: cli staff --operator ${operatorId} --code ...)`);
  }
}

function staff(ctx: MappingContext): { drCode: string; drName: string; deptCode: string; deptName: string; caty: string } {
  const s = ctx.staff ?? {};
  if (ctx.region.requireStaffCodes && !s.drCode) throw new StaffCodeMissing(ctx.record.operator_id, ctx.record.operator_name);
  const d = ctx.region.department;
  return { drCode: s.drCode ?? ctx.record.operator_id, drName: s.drName ?? ctx.record.operator_name, deptCode: s.deptCode ?? d.code, deptName: s.deptName ?? d.name, caty: s.caty ?? d.caty };
}

/** Dosage facts typed at the counter (sin_dos_dscr / used_frqu_dscr / prd_days / medc_way_dscr), when the line has them. */
function dosage(l: LineRow): Record<string, string> {
  let facts: Record<string, unknown> = {};
  try {
    facts = JSON.parse(l.facts_json) as Record<string, unknown>;
  } catch {
    /* no facts */
  }
  const out: Record<string, string> = {};
  const pick = (from: string, to: string) => {
    if (typeof facts[from] === 'string' && facts[from]) out[to] = facts[from] as string;
  };
  pick('dose', 'sin_dos_dscr');
  pick('frequency', 'used_frqu_dscr');
  pick('days', 'prd_days');
  pick('route', 'medc_way_dscr');
  return out;
}

/** What the counter recorded about the boxes of a line, in the national fee-detail names (platform-fields.md 2204, 3505). */
function dispensedFields(l: LineRow): Record<string, unknown> {
  const f = JSON.parse(l.facts_json) as { traceCodes?: string[]; batch?: string | null; expiry?: string | null; usage?: { dose: string; frequency: string; route: string } | null; days?: number | null };
  return {
    ...(f.traceCodes?.length ? { drug_trac_codg: f.traceCodes.join(',') } : {}),
    ...(f.batch ? { manu_lotnum: f.batch } : {}),
    ...(f.expiry ? { expy_end: f.expiry } : {}),
    ...(f.usage ? { sin_dos_dscr: f.usage.dose, used_frqu_dscr: f.usage.frequency, medc_way_dscr: f.usage.route } : {}),
    ...(f.days ? { prd_days: String(f.days) } : {}),
  };
}

function feeLine(ctx: MappingContext, l: LineRow, extra: Record<string, unknown>): Record<string, unknown> {
  const st = staff(ctx);
  return {
    ...dispensedFields(l),
    feedetl_sn: l.feedetl_sn,
    rxno: '',
    rx_circ_flag: '0',
    fee_ocur_time: begntime(ctx),
    med_list_codg: l.catalog_code,
    medins_list_codg: l.own_code ?? l.catalog_code,
    det_item_fee_sumamt: l.total,
    cnt: l.quantity,
    pric: l.price,
    ...dosage(l),
    bilg_dept_codg: st.deptCode,
    bilg_dept_name: st.deptName,
    bilg_dr_codg: st.drCode,
    bilg_dr_name: st.drName,
    hosp_appr_flag: '1',
    ...extra,
  };
}

/** Batch facts of a dispensed line (the 进销存 fields of 3505), when the counter recorded them. */
function batchFacts(l: LineRow): { batch?: string; manufactureDate?: string; expiry?: string; traceCodes?: string[] } {
  try {
    const f = JSON.parse(l.facts_json) as Record<string, unknown>;
    const s = (k: string) => (typeof f[k] === 'string' && f[k] ? (f[k] as string) : undefined);
    const codes = Array.isArray(f.traceCodes) ? f.traceCodes.filter((c): c is string => typeof c === 'string' && c.length > 0) : [];
    return { ...(s('batch') ? { batch: s('batch')! } : {}), ...(s('manufactureDate') ? { manufactureDate: s('manufactureDate')! } : {}), ...(s('expiry') ? { expiry: s('expiry')! } : {}), ...(codes.length ? { traceCodes: codes } : {}) };
  } catch {
    return {};
  }
}

/** 3505 商品销售 selinfo, one per dispensed line; manu_lotnum and manu_date are required, so a line without them cannot be reported. */
function goodsInput(ctx: MappingContext): Record<string, unknown> {
  const p = ctx.patient;
  const st = staff(ctx);
  const time = begntime(ctx);
  return {
    selinfo: ctx.lines.map((l) => {
      const b = batchFacts(l);
      if (!b.batch || !b.manufactureDate) throw new Error(`line ${l.line_no} (${l.name}) has no batch number and manufacture date (manu_lotnum, manu_date), which 3505 requires`);
      return {
        med_list_codg: l.catalog_code,
        fixmedins_hilist_id: l.own_code ?? l.catalog_code,
        fixmedins_hilist_name: l.name,
        fixmedins_bchno: l.feedetl_sn,
        prsc_dr_cert_type: '',
        prsc_dr_certno: '',
        prsc_dr_name: st.drName,
        phar_cert_type: '',
        phar_certno: '',
        phar_name: st.drName,
        phar_prac_cert_no: st.drCode,
        hi_feesetl_type: '1',
        setl_id: ctx.setlId ?? '',
        mdtrt_sn: ctx.record.receipt_no,
        psn_no: p.psnNo,
        psn_cert_type: p.certno ? '01' : '',
        certno: p.certno ?? '',
        psn_name: p.name ?? '',
        manu_lotnum: b.batch,
        manu_date: b.manufactureDate,
        expy_end: b.expiry ?? '',
        rx_flag: '1',
        trdn_flag: '0',
        finl_trns_pric: l.price,
        rxno: '',
        rx_circ_flag: '0',
        rtal_docno: ctx.record.receipt_no,
        stoout_no: ctx.record.receipt_no,
        bchno: b.batch,
        drug_trac_codg: b.traceCodes?.[0] ?? '',
        sel_retn_cnt: l.quantity,
        sel_retn_time: time,
        sel_retn_opter_name: ctx.record.operator_name,
        memo: b.traceCodes && b.traceCodes.length > 1 ? `追溯码:${b.traceCodes.join(',')}`.slice(0, 500) : '',
      };
    }),
  };
}

/** Facts the national messages do not carry but the simulator needs to compute its own split. */
function hints(ctx: MappingContext): Record<string, unknown> | undefined {
  if (!ctx.hints) return undefined;
  const req = JSON.parse(ctx.sale.request_json) as { policy: string; date: string; patient: Record<string, unknown>; annualCap?: string | null };
  return {
    lbc_hint: {
      policy: req.policy,
      date: req.date,
      level: ctx.sale.institution_level,
      institutionType: ctx.sale.institution_type,
      patient: req.patient,
      annualCap: req.annualCap ?? null,
      lines: ctx.lines.map((l) => ({ feedetl_sn: l.feedetl_sn, ...(JSON.parse(l.facts_json) as LineFacts) })),
    },
  };
}

export function buildInput(step: Step, ctx: MappingContext): Record<string, unknown> {
  const p = ctx.patient;
  const r = ctx.region;
  const type = ctx.sale.institution_type;
  const disease = diseaseFor(r, p.conditions);
  const medType = r.medType[type];
  const common = { psn_no: p.psnNo, ...certificate(ctx), insutype: p.insutype };
  const inScope = ctx.amounts.inScope;
  const ownpay = fen(new Decimal(ctx.amounts.total).minus(inScope));
  if (step.action === 'reverse') {
    const t = need(ctx.target, 'the settlement to reverse');
    return { data: { setl_id: t.setlId, mdtrt_id: t.mdtrtId ?? '', psn_no: p.psnNo } };
  }
  if (step.action === 'goods') return goodsInput(ctx);
  const st = staff(ctx);
  // Only an employee can use the personal account (residents have none).
  const acctUsedFlag = p.insutype === '310' && p.acctUsed === true ? '1' : '0';
  // 院内唯一流水, 30 characters at most: the record's receipt number (unique per institution).
  const iptOtpNo = ctx.record.receipt_no;
  if (iptOtpNo.length > 30) throw new Error(`ipt_otp_no ${iptOtpNo} is longer than 30 characters`);
  switch (step.action) {
    case 'register':
      return {
        data: {
          ...common,
          begntime: begntime(ctx),
          card_sn: p.cardSn ?? '',
          ipt_otp_no: iptOtpNo,
          atddr_no: st.drCode,
          dr_name: st.drName,
          dept_code: st.deptCode,
          dept_name: st.deptName,
          caty: st.caty,
        },
      };
    case 'visit':
      return {
        mdtrtinfo: { mdtrt_id: need(ctx.mdtrtId, 'mdtrt_id'), psn_no: p.psnNo, med_type: medType, begntime: begntime(ctx), main_cond_dscr: disease.name, dise_codg: disease.code, dise_name: disease.name },
        diseinfo: [
          {
            diag_type: '1',
            diag_srt_no: '1',
            diag_code: disease.icd,
            diag_name: disease.icdName,
            diag_dept: st.deptName,
            dise_dor_no: st.drCode,
            dise_dor_name: st.drName,
            diag_time: begntime(ctx),
            vali_flag: '1',
          },
        ],
      };
    case 'fees':
      return {
        feedetail: ctx.lines.map((l) =>
          feeLine(ctx, l, { mdtrt_id: need(ctx.mdtrtId, 'mdtrt_id'), psn_no: p.psnNo, chrg_bchno: ctx.record.receipt_no, dise_codg: disease.code, tcmdrug_used_way: '', etip_flag: '0', dscg_tkdrug_flag: '0', matn_fee_flag: '0' }),
        ),
        ...hints(ctx),
      };
    case 'preview':
    case 'settle':
      if (type === 'pharmacy') {
        return {
          druginfo: {
            ...common,
            begntime: begntime(ctx),
            medfee_sumamt: ctx.amounts.total,
            invono: ctx.record.receipt_no,
            med_type: medType,
            dise_codg: disease.code,
            dise_name: disease.name,
            acct_used_flag: acctUsedFlag,
            // Our own settlement id (医药机构结算ID), the business key a resend is recognised by; the platform's reply carries our msgid in setlinfo.medins_setl_id.
            medins_setl_id: ctx.record.id,
          },
          drugdetail: ctx.lines.map((l) => feeLine(ctx, l, {})),
          ...hints(ctx),
        };
      }
      return {
        data: {
          ...common,
          med_type: medType,
          medfee_sumamt: ctx.amounts.total,
          psn_setlway: '01',
          mdtrt_id: need(ctx.mdtrtId, 'mdtrt_id'),
          chrg_bchno: ctx.record.receipt_no,
          acct_used_flag: acctUsedFlag,
          invono: ctx.record.receipt_no,
          fulamt_ownpay_amt: ownpay,
          overlmt_selfpay: '0.00',
          preselfpay_amt: '0.00',
          inscp_scp_amt: inScope,
          medins_setl_id: ctx.record.id,
        },
        ...hints(ctx),
      };
  }
}

function need<T>(v: T | null | undefined, what: string): T {
  if (v === null || v === undefined) throw new Error(`cannot build the message: ${what} is not known yet`);
  return v;
}

/** 3201 input for one insutype and clearing type of a day. */
export function stmtInput(o: {
  insutype: string;
  clrType: string;
  date: string;
  medfee: string;
  fund: string;
  acct: string;
  count: number;
  clrOptins: string;
  /** The day's journal anchor, in the extension node the region allows (provinces.json statementExtension). */
  anchor?: { field: 'expContent' | 'exp_content'; seq: number; hash: string } | null;
}): Record<string, unknown> {
  return {
    data: {
      ...(o.anchor ? { [o.anchor.field]: { journal_head_hash: o.anchor.hash, journal_head_seq: String(o.anchor.seq) } } : {}),
      insutype: o.insutype,
      clr_type: o.clrType,
      setl_optins: o.clrOptins,
      stmt_begndate: o.date,
      stmt_enddate: o.date,
      medfee_sumamt: o.medfee,
      fund_pay_sumamt: o.fund,
      acct_pay: o.acct,
      fixmedins_setl_cnt: String(o.count),
    },
  };
}
