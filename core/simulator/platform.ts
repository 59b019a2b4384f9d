// The simulated national platform's business logic: one envelope in, one reply out, applied in
// one synchronous transaction on the simulator's own database. Strict like the reference
// (platform-fields.md): a missing required field, an unknown infno, a business message without
// an open 9001 sign_no, or a reused msgid with other content is refused at the gateway. A
// repeated msgid gets the reply it already got (and says so); a repeated business key (the
// invoice / charge batch number, a setl_id being reversed) never creates a second settlement.
// Replies have the reference's shapes: 2103 names psn_pay / cash_payamt, 2208 has no person
// block, every settlement's medins_setl_id holds the sender's msgid. The split is computed with the
// same policy engine (core/policy) and the simulator's own ledger of what it has paid.
import type { QuoteRequest, QuoteResult } from '../contract/quote.ts';
import { Decimal, fen } from '../money/decimal.ts';
import { quote, type PolicyBook } from '../policy/index.ts';
import type { PlatformConfig } from '../platform/config.ts';
import { compactMillis, compactSecond, infTime } from '../platform/time.ts';
import { serviceDate } from '../clock/index.ts';
import { missingField, INPUT_REQUIRED } from './required.ts';
import type { SimPerson, SimRegistry } from './registry.ts';
import { zipSync, strToU8 } from 'fflate';
import { NO_CRYPTO, openRequest, sealReply, type CryptoSpec, type PlatformKeys } from '../platform/crypto.ts';
import {
  getSimFile,
  insertSimFile,
  closeSimSignIn,
  insertSimSignIn,
  simSignInOpen,
  countRepeat,
  feesOf,
  getSimMessage,
  getSimSettlement,
  getVisit,
  getVisitByOtpNo,
  insertSimMessage,
  insertSimSettlement,
  insertVisit,
  nextSimNumber,
  setReversedBy,
  setSimMessageStatus,
  setVisitInfo,
  simFundUsed,
  standingReversalOf,
  standingSettlement,
  standingSettlements,
  deactivate,
  upsertFee,
  type SimDB,
  type SimSettlement,
} from '../store/simulator.ts';

export interface SimOptions {
  book: PolicyBook;
  config: PlatformConfig;
  /** psn_no values whose settlements are refused (a business refusal, infcode -1). */
  refusePsnNo?: () => readonly string[];
  /** Per psn_no amount the simulator moves from fund to patient (to provoke a variance). */
  splitSkew?: () => Readonly<Record<string, string>>;
  now?: () => Date;
  /** Refuse every sign_no (a fault: the platform's session store lost them). */
  refuseSignNo?: () => boolean;
  /** Transactions to refuse as a business refusal (a fault). */
  refuseInfno?: () => readonly string[];
  /** People known beyond settlements (1101, 5301, 5205). */
  registry?: () => SimRegistry;
  /** The platform's keys, for a region that requires national cryptography (provinces.json crypto). */
  keys?: PlatformKeys | null;
}

interface RequestEnvelope {
  infno: string;
  msgid: string;
  fixmedins_code: string;
  mdtrtarea_admvs?: string;
  insuplc_admdvs?: string;
  opter?: string;
  inf_time?: string;
  sign_no?: string;
  input: Record<string, unknown>;
}

/** The envelope fields the simulator relies on (checked by hand: this is its hot path). */
function checkEnvelope(json: unknown): { ok: true; env: RequestEnvelope } | { ok: false; why: string } {
  if (!json || typeof json !== 'object' || Array.isArray(json)) return { ok: false, why: 'not an object' };
  const e = json as Record<string, unknown>;
  const str = (k: string, min: number, max: number) => typeof e[k] === 'string' && (e[k] as string).length >= min && (e[k] as string).length <= max;
  if (!str('infno', 4, 6)) return { ok: false, why: 'infno: 4–6 characters required' };
  if (!str('msgid', 30, 30)) return { ok: false, why: 'msgid: 30 characters required' };
  if (!str('fixmedins_code', 1, 30)) return { ok: false, why: 'fixmedins_code required' };
  if (!e.input || typeof e.input !== 'object' || Array.isArray(e.input)) return { ok: false, why: 'input: an object is required' };
  return { ok: true, env: e as unknown as RequestEnvelope };
}

class Refusal extends Error {}

const REVERSIBLE = new Set(['2102', '2102A', '2103', '2207', '2208']);

export interface SimResult {
  reply: Record<string, unknown>;
  /** The msgid was seen before: this is the reply already given. */
  repeat: boolean;
  /** The reply as sent. */
  text: string;
  /** A 9102 download: the file sent instead of the JSON reply (application/octet-stream). */
  file?: Buffer;
}

export class SimulatedPlatform {
  private refSerial = Math.floor(Date.now() / 1000) % 1e6 * 1e4;
  /** One transaction per message (built once: better-sqlite3 prepares BEGIN/COMMIT per wrapper). */
  private readonly tx: (env: RequestEnvelope, body: string) => SimResult;

  constructor(
    readonly db: SimDB,
    private readonly o: SimOptions,
  ) {
    this.tx = db.transaction((env: RequestEnvelope, body: string) => this.process(env, body));
  }

  private now(): Date {
    return this.o.now?.() ?? new Date();
  }

  private envelopeReply(infcode: 0 | -1, output: unknown, errMsg: string | null, warn?: string): Record<string, unknown> {
    const now = this.now();
    const serial = String(++this.refSerial % 1e10).padStart(10, '0');
    return {
      infcode,
      inf_refmsgid: `000000${compactSecond(now)}${serial}`,
      refmsg_time: compactMillis(now),
      respond_time: compactMillis(now),
      err_msg: errMsg,
      warn_msg: warn ?? null,
      output: output ?? {},
    };
  }

  /** Handles one request body (text, or already parsed). Never throws: anything wrong becomes an infcode -1 reply. */
  handle(body: string, parsed?: unknown): SimResult {
    let json: unknown = parsed;
    if (json === undefined) {
      try {
        json = JSON.parse(body);
      } catch {
        return this.finish(this.envelopeReply(-1, null, '请求报文不是有效的 JSON (request is not JSON)'), false);
      }
    }
    // Where the region requires national cryptography, the message is verified and decrypted first, and the reply sealed.
    const spec = this.cryptoFor(json);
    if (spec.encType || spec.signType) {
      const opened = openRequest(json as Record<string, unknown>, spec, this.o.keys ?? null);
      if (!opened.ok) return this.sealed(this.finish(this.envelopeReply(-1, null, `报文签名或加密校验失败 (${opened.why})`), false), spec);
      return this.sealed(this.handleOpen(JSON.stringify(opened.env), opened.env), spec);
    }
    return this.handleOpen(body, json);
  }

  private cryptoFor(json: unknown): CryptoSpec {
    if (!json || typeof json !== 'object') return NO_CRYPTO;
    const admvs = (json as { mdtrtarea_admvs?: unknown }).mdtrtarea_admvs;
    return (typeof admvs === 'string' && this.o.config.regionByAdmvs(admvs)?.crypto) || NO_CRYPTO;
  }

  private sealed(r: SimResult, spec: CryptoSpec): SimResult {
    const reply = sealReply(r.reply, spec, this.o.keys ?? null);
    return { ...r, reply, text: JSON.stringify(reply) };
  }

  private handleOpen(body: string, json: unknown): SimResult {
    const env = checkEnvelope(json);
    if (!env.ok) return this.finish(this.envelopeReply(-1, null, `报文格式错误 (bad envelope: ${env.why})`), false);
    if (!Object.hasOwn(INPUT_REQUIRED, env.env.infno)) return this.finish(this.envelopeReply(-1, null, `不支持的交易 ${env.env.infno} (transaction not supported)`), false);
    const missing = missingField(json as Record<string, unknown>);
    if (missing) return this.finish(this.envelopeReply(-1, null, `报文缺少必填项或格式错误 (${missing})`), false);
    return this.tx(env.env, body);
  }

  /** The platform ends every open session (a new day, a restart of its session store). */
  expireSignIns(): number {
    return closeSimSignIn(this.db, null);
  }

  private signedIn(env: RequestEnvelope): boolean {
    if (this.o.refuseSignNo?.()) return false;
    return !!env.sign_no && simSignInOpen(this.db, env.sign_no, env.fixmedins_code, String(env.opter ?? ''), serviceDate(this.now()));
  }

  private finish(reply: Record<string, unknown>, repeat: boolean, text?: string, file?: Buffer): SimResult {
    return { reply, repeat, text: text ?? JSON.stringify(reply), ...(file ? { file } : {}) };
  }

  private process(env: RequestEnvelope, body: string): SimResult {
    if (env.infno !== '9001' && !this.signedIn(env)) {
      return this.finish(this.envelopeReply(-1, null, `签到编号无效或已过期，请先签到 (sign_no invalid or expired; sign in with 9001 first)`), false);
    }
    const seen = getSimMessage(this.db, env.msgid);
    if (seen && seen.request_json) {
      const before = JSON.parse(seen.request_json) as RequestEnvelope;
      if (before.infno !== env.infno || JSON.stringify(before.input) !== JSON.stringify(env.input)) {
        return this.finish(this.envelopeReply(-1, null, `报文ID ${env.msgid} 已使用，内容不同 (msgid reused with different content)`), false);
      }
    }
    if (seen) {
      countRepeat(this.db, env.msgid);
      if (seen.status === 'tombstone') {
        return this.finish(this.envelopeReply(-1, null, `报文 ${env.msgid} 已冲正，不再处理 (message was reversed by 2601 before it arrived)`), true);
      }
      const previous = JSON.parse(seen.reply_json ?? '{}') as Record<string, unknown>;
      return this.finish({ ...previous, warn_msg: `重复报文：返回首次处理结果 (repeated msgid ${env.msgid}: this is the reply already given)`, lbc_repeat: true }, true);
    }
    let reply: Record<string, unknown>;
    let status: 'done' | 'refused' = 'done';
    let effect: { kind: string; id: string } | null = null;
    let file: Buffer | undefined;
    try {
      const r = this.dispatch(env);
      reply = this.envelopeReply(0, r.output, null, r.warn);
      effect = r.effect ?? null;
      file = r.file;
    } catch (e) {
      if (!(e instanceof Refusal)) throw e;
      reply = this.envelopeReply(-1, null, e.message);
      status = 'refused';
    }
    // 2601 and queries are recorded too (a repeated 2601 is a repeat like any other).
    const text = JSON.stringify(reply);
    insertSimMessage(this.db, {
      msgid: env.msgid,
      infno: env.infno,
      fixmedins_code: env.fixmedins_code,
      status,
      effect_kind: effect?.kind ?? null,
      effect_id: effect?.id ?? null,
      request_json: body,
      reply_json: text,
      received_at: this.now().toISOString(),
    });
    return this.finish(reply, false, text, file);
  }

  private dispatch(env: RequestEnvelope): { output: unknown; warn?: string; effect?: { kind: string; id: string }; file?: Buffer } {
    const input = env.input as Record<string, any>;
    if (this.o.refuseInfno?.().includes(env.infno)) throw new Refusal(`交易 ${env.infno} 暂不受理 (simulated refusal)`);
    switch (env.infno) {
      case '9001': {
        const signNo = `SIM${compactSecond(this.now())}${String(nextSimNumber(this.db, 'sign')).padStart(8, '0')}`;
        insertSimSignIn(this.db, { sign_no: signNo, fixmedins_code: env.fixmedins_code, opter: String(env.opter ?? ''), sign_date: serviceDate(this.now()) });
        return { output: { signinoutb: { sign_time: infTime(this.now()), sign_no: signNo } } };
      }
      case '9002':
        closeSimSignIn(this.db, String(input.signOut?.sign_no ?? env.sign_no ?? ''));
        return { output: { signoutoutb: { sign_time: infTime(this.now()) } } };
      case '2201':
        return this.register(env, input.data ?? {});
      case '2203':
      case '2203A':
        return this.visit(input);
      case '2204':
        return this.fees(input);
      case '2207':
        return this.settleClinic(env, input.data ?? {}, input.lbc_hint);
      case '2101':
        return this.settlePharmacy(env, input, true);
      case '2102':
      case '2102A':
        return this.settlePharmacy(env, input);
      case '2208':
      case '2103':
        return this.reverse(env, input.data ?? {});
      case '2601':
        return this.cancelMessage(env, input.data ?? {});
      case '3201':
        return this.statement(env, input.data ?? {});
      case '5203':
        return this.query(env, input.data ?? {});
      case '9101':
        return this.upload(env, input.fsUploadIn ?? {});
      case '3202':
        return this.detailStatement(env, input.data ?? {});
      case '1101':
        return { output: this.personInfo(input.data ?? {}) };
      case '5301':
        return { output: { feedetail: this.person(input.data?.psn_no).filings.map((f) => ({ opsp_dise_code: f.code, opsp_dise_name: f.name, begndate: f.begndate, enddate: f.enddate ?? '' })) } };
      case '5205':
        return { output: this.medicationRecords(env, input.data ?? {}) };
      case '3505':
        return this.goodsSale(input.selinfo);
      case '1312': {
        const d = input.data ?? {};
        const size = Math.min(1000, Math.max(1, Number(d.page_size) || 100));
        const page = Math.max(1, Number(d.page_num) || 1);
        const all = (this.o.registry?.().catalogue ?? []).filter((r) => r.updt_time >= String(d.updt_time ?? ''));
        return { output: { data: all.slice((page - 1) * size, page * size), pages: Math.max(1, Math.ceil(all.length / size)), recordCounts: all.length, pageNum: page, size } };
      }
      case '3301':
        return { output: {} };
      case '1301':
        return this.catalogueFile(env);
      case '9102':
        return this.download(env, input.fsDownloadIn ?? {});
      default:
        throw new Refusal(`不支持的交易 ${env.infno} (transaction not supported by the simulator)`);
    }
  }

  private persons(): readonly SimPerson[] {
    return this.o.registry?.().persons ?? [];
  }

  private person(psnNo: unknown): SimPerson {
    const p = this.persons().find((x) => x.psnNo === psnNo);
    if (!p) throw new Refusal(`未查询到人员 ${String(psnNo)} 的信息 (no such person)`);
    return p;
  }

  /** 1101: the person holding the certificate (01 token, 02 ID number, 03 card number + card_sn). */
  private personInfo(d: Record<string, unknown>): Record<string, unknown> {
    const type = String(d.mdtrt_cert_type ?? '');
    const no = String(d.mdtrt_cert_no ?? '');
    if (type === '03' && !d.card_sn) throw new Refusal('社保卡就诊须传卡识别码 (card_sn is required with mdtrt_cert_type 03)');
    const p = this.persons().find((x) => (type === '01' ? x.ecToken === no : type === '02' ? x.certno === no : type === '03' ? x.cardNo === no && x.cardSn === d.card_sn : false));
    if (!p) throw new Refusal('未查询到参保人员信息 (no person holds this certificate)');
    const age = Math.max(0, this.now().getUTCFullYear() - Number(p.brdy.slice(0, 4)));
    return {
      baseinfo: { psn_no: p.psnNo, psn_cert_type: '01', certno: p.certno, psn_name: p.name, gend: p.gend, naty: '01', brdy: p.brdy, age },
      insuinfo: p.insuinfo.map((i) => ({ balc: i.balc, insutype: i.insutype, psn_type: i.psn_type, psn_insu_stas: i.psn_insu_stas, psn_insu_date: '2010-01-01', paus_insu_date: null, cvlserv_flag: '0', insuplc_admdvs: i.insuplc_admdvs, emp_name: '' })),
      idetinfo: [],
    };
  }

  /** 5205: the person's 慢特病 dispensing at other institutions in the period. */
  private medicationRecords(env: RequestEnvelope, d: Record<string, unknown>): Record<string, unknown> {
    const p = this.person(d.psn_no);
    const from = String(d.begntime ?? '');
    const to = d.endtime ? String(d.endtime) : '9999';
    const rows = p.dispensing
      .filter((r) => r.fee_ocur_time >= from && r.fee_ocur_time <= to && r.fixmedins_code !== env.fixmedins_code)
      .map((r, i) => ({ feedetl_sn: `SIM${i + 1}`, psn_no: p.psnNo, med_type: '14', list_type: '101', hilist_code: r.med_list_codg, medins_list_codg: r.med_list_codg, medins_list_name: r.hilist_name, med_chrgitm_type: '09', ...r }));
    return { feedetail: rows };
  }

  /** 3505 商品销售: accepted (the 进销存 record); no output node in either anchor. */
  private goodsSale(sel: unknown): { output: unknown } {
    const items = Array.isArray(sel) ? sel : [sel];
    for (const i of items as Record<string, unknown>[]) {
      if (!/^\d+(\.\d+)?$/.test(String(i.sel_retn_cnt))) throw new Refusal('销售数量格式错误 (sel_retn_cnt)');
    }
    return { output: {} };
  }

  private checkPerson(psnNo: unknown): string {
    if (typeof psnNo !== 'string' || psnNo.length === 0) throw new Refusal('人员编号不能为空 (psn_no is required)');
    if (this.o.refusePsnNo?.().includes(psnNo)) throw new Refusal(`人员 ${psnNo} 参保状态异常，不予结算 (simulated business refusal)`);
    return psnNo;
  }

  private register(env: RequestEnvelope, data: Record<string, any>) {
    const psnNo = this.checkPerson(data.psn_no);
    const otp = String(data.ipt_otp_no ?? '');
    if (!otp) throw new Refusal('就诊号 ipt_otp_no 不能为空');
    const existing = getVisitByOtpNo(this.db, env.fixmedins_code, otp);
    if (existing) return { output: { data: { mdtrt_id: existing.mdtrt_id, psn_no: psnNo, ipt_otp_no: otp } }, warn: '该就诊号已登记，返回原就诊ID (visit already registered)' };
    const mdtrtId = `MD${compactSecond(this.now())}${String(nextSimNumber(this.db, 'mdtrt')).padStart(8, '0')}`;
    insertVisit(this.db, { mdtrt_id: mdtrtId, fixmedins_code: env.fixmedins_code, ipt_otp_no: otp, psn_no: psnNo, created_at: this.now().toISOString() });
    return { output: { data: { mdtrt_id: mdtrtId, psn_no: psnNo, ipt_otp_no: otp } }, effect: { kind: 'visit', id: mdtrtId } };
  }

  private visit(input: Record<string, any>) {
    const info = input.mdtrtinfo ?? {};
    const visit = getVisit(this.db, String(info.mdtrt_id ?? ''));
    if (!visit) throw new Refusal(`就诊信息不存在 mdtrt_id=${info.mdtrt_id}`);
    setVisitInfo(this.db, visit.mdtrt_id, JSON.stringify({ mdtrtinfo: info, diseinfo: input.diseinfo ?? [] }));
    return { output: {} };
  }

  private fees(input: Record<string, any>) {
    const lines = Array.isArray(input.feedetail) ? input.feedetail : [];
    if (lines.length === 0) throw new Refusal('费用明细为空 (feedetail is empty)');
    const hintLines = new Map<string, unknown>(((input.lbc_hint?.lines ?? []) as { feedetl_sn: string }[]).map((l) => [l.feedetl_sn, l]));
    const result = lines.map((l: Record<string, any>) => {
      const visit = getVisit(this.db, String(l.mdtrt_id ?? ''));
      if (!visit) throw new Refusal(`就诊信息不存在 mdtrt_id=${l.mdtrt_id}`);
      upsertFee(this.db, visit.mdtrt_id, String(l.feedetl_sn), JSON.stringify({ ...l, lbc_fact: hintLines.get(String(l.feedetl_sn)) ?? null }));
      return {
        feedetl_sn: l.feedetl_sn,
        det_item_fee_sumamt: l.det_item_fee_sumamt,
        cnt: l.cnt,
        pric: l.pric,
        pric_uplmt_amt: l.pric,
        selfpay_prop: '0',
        fulamt_ownpay_amt: '0.00',
        overlmt_amt: '0.00',
        preselfpay_amt: '0.00',
        inscp_scp_amt: l.det_item_fee_sumamt,
        chrgitm_lv: '01',
        med_chrgitm_type: '09',
        bas_medn_flag: '0',
        hi_nego_drug_flag: '0',
        chld_medc_flag: '0',
        list_sp_item_flag: '0',
        lmt_used_flag: '0',
        drt_reim_flag: '0',
        memo: '',
      };
    });
    return { output: { result } };
  }

  /** Builds the quote request the platform would: facts from the message, the hint node and its own ledger. */
  private quoteFor(env: RequestEnvelope, o: { psnNo: string; insutype: string; diseCodg: string; date: string; type: 'clinic' | 'pharmacy'; hint: any; lines: { sn: string; price: string; quantity: string; fact: any }[] }): { req: QuoteRequest; result: QuoteResult } {
    const region = env.mdtrtarea_admvs ? this.o.config.regionByAdmvs(env.mdtrtarea_admvs) : null;
    const policy: string = o.hint?.policy ?? region?.id;
    if (!policy) throw new Refusal(`未知的就医地 ${env.mdtrtarea_admvs}`);
    const conditions = o.hint?.patient?.conditions ?? [o.diseCodg === 'M01600' ? 'diabetes' : 'hypertension'];
    const used = simFundUsed(this.db, o.psnNo, o.date.slice(0, 4), o.date).reduce((a, f) => a.plus(new Decimal(f)), new Decimal(0));
    const raw = {
      policy,
      date: o.date,
      institution: { type: o.type, level: o.hint?.level ?? 1, code: env.fixmedins_code },
      patient: { ...(o.hint?.patient ?? {}), insurance: o.insutype === '310' ? 'employee' : 'resident', conditions },
      usedThisYear: fen(Decimal.max(used, 0)),
      annualCap: o.hint?.annualCap ?? null,
      lines: o.lines.map((l) => ({
        id: l.sn,
        kind: l.fact?.kind ?? 'drug',
        listed: l.fact?.listed ?? true,
        vbp: l.fact?.vbp ?? false,
        price: l.price,
        paymentStandard: l.fact?.paymentStandard ?? null,
        quantity: l.quantity,
      })),
    };
    // The message's amounts were checked by the counter's own zod schemas; here only their form is
    // checked (full validation on every message would double the simulator's cost per message).
    for (const l of raw.lines) {
      if (!/^\d+(\.\d+)?$/.test(l.price) || !/^\d+(\.\d+)?$/.test(l.quantity)) throw new Refusal(`明细 ${l.id} 的单价或数量格式错误`);
    }
    const req = { otherChronicDiseases: 0, ...raw, patient: { otherChronicDiseases: 0, ...raw.patient } } as unknown as QuoteRequest;
    try {
      return { req, result: quote(this.o.book, req) };
    } catch (e) {
      throw new Refusal(`无法计算待遇 (${(e as Error).message})`);
    }
  }

  private skew(psnNo: string, fund: Decimal, total: Decimal): Decimal {
    const s = this.o.splitSkew?.()[psnNo];
    if (!s) return fund;
    return Decimal.min(total, Decimal.max(0, fund.minus(new Decimal(s))));
  }

  private record(
    env: RequestEnvelope,
    o: { businessKey: string; psnNo: string; insutype: string; medType: string; certType: string; date: string; mdtrtId: string | null; clrType: string; result: QuoteResult; lines: { sn: string; price: string; quantity: string }[] },
    preview = false,
  ) {
    const standing = preview ? undefined : standingSettlement(this.db, env.fixmedins_code, o.businessKey);
    if (standing) {
      return { output: JSON.parse(standing.output_json), warn: `该单据已结算，返回原结算结果 (business key ${o.businessKey} already settled as ${standing.setl_id})` };
    }
    const total = new Decimal(o.result.total);
    const fund = this.skew(o.psnNo, new Decimal(o.result.fund), total);
    const patient = total.minus(fund);
    const setlId = preview ? '' : `ST${compactSecond(this.now())}${String(nextSimNumber(this.db, 'setl')).padStart(8, '0')}`;
    const fundType = o.insutype === '310' ? { code: '310100', name: '职工基本医疗保险统筹基金' } : { code: '390100', name: '城乡居民基本医疗保险基金' };
    const pharmacy = o.clrType === '41';
    const setlinfo: Record<string, string> = {
      setl_id: setlId,
      mdtrt_id: o.mdtrtId ?? setlId,
      psn_no: o.psnNo,
      psn_name: '',
      psn_cert_type: '01',
      certno: '',
      gend: '9',
      naty: '01',
      brdy: '',
      age: '0',
      insutype: o.insutype,
      psn_type: o.insutype === '310' ? '11' : '14',
      cvlserv_flag: '0',
      setl_time: `${o.date} 00:00:00`,
      mdtrt_cert_type: o.certType,
      med_type: o.medType,
      medfee_sumamt: fen(total),
      fulamt_ownpay_amt: fen(total.minus(new Decimal(o.result.inScope))),
      overlmt_selfpay: '0.00',
      preselfpay_amt: '0.00',
      inscp_scp_amt: o.result.inScope,
      act_pay_dedc: '0.00',
      hifp_pay: fen(fund),
      pool_prop_selfpay: '0.00',
      cvlserv_pay: '0.00',
      hifes_pay: '0.00',
      hifmi_pay: '0.00',
      hifob_pay: '0.00',
      maf_pay: '0.00',
      oth_pay: '0.00',
      fund_pay_sumamt: fen(fund),
      psn_part_amt: fen(patient),
      acct_pay: '0.00',
      psn_cash_pay: fen(patient),
      ...(pharmacy ? {} : { hosp_part_amt: '0.00' }),
      balc: '0.00',
      acct_mulaid_pay: '0.00',
      // 医药机构结算ID "存放发送方报文ID" (platform-fields.md, A1o 2207 #38).
      medins_setl_id: env.msgid,
      clr_optins: env.mdtrtarea_admvs ?? '',
      clr_way: '1',
      clr_type: o.clrType,
    };
    const setldetail = [{ fund_pay_type: fundType.code, inscp_scp_amt: o.result.inScope, crt_payb_lmt_amt: '0.00', fund_payamt: fen(fund), fund_pay_type_name: fundType.name, setl_proc_info: o.result.policy.version }];
    // 2207's output is setlinfo + setldetail (A1o); 2102's adds detlcutinfo (A2 RT2102).
    const output = pharmacy
      ? {
          setlinfo,
          setldetail,
          detlcutinfo: o.result.lines.map((l, i) => ({
            feedetl_sn: o.lines[i]!.sn,
            det_item_fee_sumamt: l.total,
            cnt: o.lines[i]!.quantity,
            pric: o.lines[i]!.price,
            pric_uplmt_amt: o.lines[i]!.price,
            inscp_scp_amt: l.inScope,
            fulamt_ownpay_amt: fen(new Decimal(l.total).minus(new Decimal(l.inScope))),
            selfpay_prop: fen(new Decimal(1).minus(new Decimal(l.rate))),
            chrgitm_lv: '01',
            med_chrgitm_type: '09',
          })),
        }
      : { setlinfo, setldetail };
    if (preview) {
      // 2101 药店预结算: the split as 2102 would make it, nothing recorded, no settlement id.
      const { setl_id: _s, medins_setl_id: _m, mdtrt_id: _d, ...info } = output.setlinfo;
      return { output: { ...output, setlinfo: info } };
    }
    insertSimSettlement(this.db, {
      setl_id: setlId,
      kind: 'settle',
      fixmedins_code: env.fixmedins_code,
      medins_setl_id: o.businessKey,
      msgid: env.msgid,
      infno: env.infno,
      mdtrt_id: o.mdtrtId,
      reverses_setl_id: null,
      psn_no: o.psnNo,
      insutype: o.insutype,
      clr_type: o.clrType,
      setl_date: o.date,
      medfee_sumamt: setlinfo.medfee_sumamt!,
      fund_pay_sumamt: setlinfo.fund_pay_sumamt!,
      psn_part_amt: setlinfo.psn_part_amt!,
      acct_pay: '0.00',
      output_json: JSON.stringify(output),
      created_at: this.now().toISOString(),
    });
    return { output, effect: { kind: 'settlement', id: setlId } };
  }

  private settleClinic(env: RequestEnvelope, data: Record<string, any>, hint: any) {
    const psnNo = this.checkPerson(data.psn_no);
    const visit = getVisit(this.db, String(data.mdtrt_id ?? ''));
    if (!visit) throw new Refusal(`就诊信息不存在 mdtrt_id=${data.mdtrt_id}`);
    const fees = feesOf(this.db, visit.mdtrt_id).map((f) => JSON.parse(f.line_json) as Record<string, any>);
    const batch = fees.filter((f) => !data.chrg_bchno || f.chrg_bchno === data.chrg_bchno);
    if (batch.length === 0) throw new Refusal('该就诊没有费用明细 (no fee detail uploaded for this visit)');
    const date = hint?.date ?? String(batch[0]!.fee_ocur_time ?? '').slice(0, 10);
    const { result } = this.quoteFor(env, {
      psnNo,
      insutype: String(data.insutype),
      diseCodg: String(batch[0]!.dise_codg ?? ''),
      date,
      type: 'clinic',
      hint,
      lines: batch.map((f) => ({ sn: String(f.feedetl_sn), price: String(f.pric), quantity: String(f.cnt), fact: f.lbc_fact })),
    });
    this.checkSum(data.medfee_sumamt, result.total);
    return this.record(env, {
      businessKey: String(data.medins_setl_id || `${visit.mdtrt_id}/${data.chrg_bchno}`),
      psnNo,
      insutype: String(data.insutype),
      medType: String(data.med_type ?? ''),
      certType: String(data.mdtrt_cert_type ?? ''),
      date,
      mdtrtId: visit.mdtrt_id,
      clrType: '11',
      result,
      lines: batch.map((f) => ({ sn: String(f.feedetl_sn), price: String(f.pric), quantity: String(f.cnt) })),
    });
  }

  private settlePharmacy(env: RequestEnvelope, input: Record<string, any>, preview = false) {
    const info = input.druginfo ?? {};
    const psnNo = this.checkPerson(info.psn_no);
    const lines = Array.isArray(input.drugdetail) ? (input.drugdetail as Record<string, any>[]) : [];
    if (lines.length === 0) throw new Refusal('药品明细为空 (drugdetail is empty)');
    const hint = input.lbc_hint;
    const facts = new Map<string, unknown>(((hint?.lines ?? []) as { feedetl_sn: string }[]).map((l) => [l.feedetl_sn, l]));
    const date = hint?.date ?? String(info.begntime ?? '').slice(0, 10);
    const { result } = this.quoteFor(env, {
      psnNo,
      insutype: String(info.insutype),
      diseCodg: String(info.dise_codg ?? ''),
      date,
      type: 'pharmacy',
      hint,
      lines: lines.map((l) => ({ sn: String(l.feedetl_sn), price: String(l.pric), quantity: String(l.cnt), fact: facts.get(String(l.feedetl_sn)) })),
    });
    this.checkSum(info.medfee_sumamt, result.total);
    return this.record(env, {
      businessKey: String(info.medins_setl_id || info.invono || env.msgid),
      psnNo,
      insutype: String(info.insutype),
      medType: String(info.med_type ?? ''),
      certType: String(info.mdtrt_cert_type ?? ''),
      date,
      mdtrtId: null,
      clrType: '41',
      result,
      lines: lines.map((l) => ({ sn: String(l.feedetl_sn), price: String(l.pric), quantity: String(l.cnt) })),
    }, preview);
  }

  private checkSum(declared: unknown, computed: string): void {
    if (declared === undefined || declared === null) return;
    if (!new Decimal(String(declared)).equals(new Decimal(computed))) {
      throw new Refusal(`医疗费总额 ${declared} 与明细合计 ${computed} 不符 (medfee_sumamt does not match the detail)`);
    }
  }

  private reverse(env: RequestEnvelope, data: Record<string, any>) {
    const setlId = String(data.setl_id ?? '');
    const original = getSimSettlement(this.db, setlId);
    if (!original || original.kind !== 'settle' || original.fixmedins_code !== env.fixmedins_code) throw new Refusal(`结算信息不存在 setl_id=${setlId}`);
    const already = standingReversalOf(this.db, setlId);
    if (already) return { output: JSON.parse(already.output_json), warn: `该结算已撤销 (already reversed as ${already.setl_id})` };
    if (!original.active) throw new Refusal(`结算 ${setlId} 已被冲正，无需撤销`);
    const out = JSON.parse(original.output_json) as { setlinfo: Record<string, string>; setldetail: Record<string, string>[] };
    const neg = (v: string) => fen(new Decimal(v).negated());
    const revId = `RV${compactSecond(this.now())}${String(nextSimNumber(this.db, 'setl')).padStart(8, '0')}`;
    const o = out.setlinfo;
    const amounts: Record<string, string> = {};
    for (const k of ['medfee_sumamt', 'fulamt_ownpay_amt', 'overlmt_selfpay', 'preselfpay_amt', 'inscp_scp_amt', 'act_pay_dedc', 'hifp_pay', 'pool_prop_selfpay', 'cvlserv_pay', 'hifes_pay', 'hifmi_pay', 'hifob_pay', 'maf_pay', 'oth_pay', 'fund_pay_sumamt', 'acct_pay', 'balc', 'acct_mulaid_pay']) {
      if (o[k] !== undefined) amounts[k] = k === 'pool_prop_selfpay' || k === 'balc' ? o[k]! : neg(o[k]!);
    }
    const common = { mdtrt_id: o.mdtrt_id!, setl_id: revId, clr_optins: o.clr_optins ?? '', setl_time: infTime(this.now()), ...amounts, medins_setl_id: env.msgid };
    // 2103 (A2 RT2103): psn_pay / cash_payamt, no person block; 2208 (A1o): psn_part_amt, pdn_cash_pay (sic), no person block.
    const setlinfo: Record<string, string> =
      env.infno === '2103'
        ? { ...common, psn_pay: neg(o.psn_part_amt!), cash_payamt: neg(o.psn_cash_pay!) }
        : { ...common, psn_part_amt: neg(o.psn_part_amt!), pdn_cash_pay: neg(o.psn_cash_pay!), hosp_part_amt: '0.00' };
    const output = { setlinfo, setldetail: out.setldetail.map((d) => ({ ...d, fund_payamt: neg(d.fund_payamt!), inscp_scp_amt: neg(d.inscp_scp_amt ?? '0') })) };
    insertSimSettlement(this.db, {
      setl_id: revId,
      kind: 'reverse',
      fixmedins_code: env.fixmedins_code,
      medins_setl_id: original.medins_setl_id,
      msgid: env.msgid,
      infno: env.infno,
      mdtrt_id: original.mdtrt_id,
      reverses_setl_id: setlId,
      psn_no: original.psn_no,
      insutype: original.insutype,
      clr_type: original.clr_type,
      setl_date: original.setl_date,
      medfee_sumamt: setlinfo.medfee_sumamt!,
      fund_pay_sumamt: setlinfo.fund_pay_sumamt!,
      psn_part_amt: setlinfo.psn_part_amt ?? setlinfo.psn_pay!,
      acct_pay: setlinfo.acct_pay ?? '0.00',
      output_json: JSON.stringify(output),
      created_at: this.now().toISOString(),
    });
    setReversedBy(this.db, setlId, revId);
    return { output, effect: { kind: 'reversal', id: revId } };
  }

  /** 2601 冲正: undo whatever a message did; a message never seen is tombstoned so it is refused if it turns up. */
  private cancelMessage(env: RequestEnvelope, data: Record<string, any>) {
    const omsgid = String(data.omsgid ?? '');
    if (omsgid.length !== 30) throw new Refusal('原报文ID omsgid 格式错误');
    const m = getSimMessage(this.db, omsgid);
    if (!m) {
      insertSimMessage(this.db, { msgid: omsgid, infno: String(data.oinfno ?? ''), fixmedins_code: env.fixmedins_code, status: 'tombstone', effect_kind: null, effect_id: null, request_json: null, reply_json: null, received_at: this.now().toISOString() });
      return { output: {}, warn: '原交易未收到，已登记冲正，之后到达将被拒绝 (original never received; it will be refused if it arrives)' };
    }
    if (m.status === 'tombstone' || m.status === 'reversed' || m.status === 'refused') {
      if (m.status === 'refused') setSimMessageStatus(this.db, omsgid, 'reversed');
      return { output: {}, warn: m.status === 'refused' ? '原交易未成功，无需冲正 (nothing to undo)' : '原交易已冲正 (already reversed)' };
    }
    if (!REVERSIBLE.has(m.infno)) throw new Refusal(`交易 ${m.infno} 不支持冲正`);
    if (m.effect_kind === 'settlement' && m.effect_id) {
      const s = getSimSettlement(this.db, m.effect_id);
      if (s?.reversed_by) throw new Refusal(`结算 ${s.setl_id} 已被 ${s.reversed_by} 撤销，不能冲正原交易`);
      deactivate(this.db, m.effect_id);
    } else if (m.effect_kind === 'reversal' && m.effect_id) {
      const r = getSimSettlement(this.db, m.effect_id);
      deactivate(this.db, m.effect_id);
      if (r?.reverses_setl_id) setReversedBy(this.db, r.reverses_setl_id, null);
    }
    setSimMessageStatus(this.db, omsgid, 'reversed');
    return { output: {}, effect: { kind: 'cancel', id: omsgid } };
  }

  /** 5203 结算信息查询, keyed by setl_id (A1i/A5): the settlement in the 5203 shape, refd_setl_flag 1 once reversed. */
  private query(env: RequestEnvelope, data: Record<string, any>) {
    const s = getSimSettlement(this.db, String(data.setl_id ?? ''));
    if (!s || s.kind !== 'settle' || s.fixmedins_code !== env.fixmedins_code || s.psn_no !== String(data.psn_no ?? '')) throw new Refusal(`结算信息不存在 setl_id=${data.setl_id}`);
    const out = JSON.parse(s.output_json) as { setlinfo: Record<string, string>; setldetail: unknown[] };
    const { psn_part_amt, psn_cash_pay, hosp_part_amt: _h, ...rest } = out.setlinfo;
    const refunded = s.reversed_by !== null || s.active === 0;
    return {
      output: {
        setlinfo: { ...rest, psn_pay: psn_part_amt!, cash_payamt: psn_cash_pay!, refd_setl_flag: refunded ? '1' : '0', fixmedins_code: s.fixmedins_code, year: s.setl_date.slice(0, 4), pay_loc: '2', begndate: s.setl_date, enddate: s.setl_date },
        setldetail: out.setldetail,
      },
    };
  }

  /**
   * 1301 西药中成药目录: the national list as a file to fetch with 9102: a zip holding one text file,
   * a drug a line, tab-separated in the 92 columns of A1o OutputDownload13 (no header), rows from version `ver` on.
   */
  private catalogueFile(env: RequestEnvelope) {
    const from = Number((env.input as { data?: { ver?: unknown } }).data?.ver ?? 0) || 0;
    const rows = (this.o.registry?.().catalogue ?? []).filter((r) => Number(r.ver) > from);
    const lines = rows.map((r) => {
      const cols = new Array<string>(92).fill('');
      cols[0] = r.hilist_code;
      cols[1] = r.prodname;
      cols[3] = r.hilist_name;
      cols[10] = r.dosform_name;
      cols[13] = r.spec;
      cols[53] = r.prodentp_name;
      cols[61] = r.aprvno;
      cols[78] = r.vali_flag;
      cols[81] = r.updt_time;
      cols[82] = r.ver;
      cols[91] = r.chrgitm_lv === '01' ? '甲类' : r.chrgitm_lv === '02' ? '乙类' : '';
      return cols.join('\t');
    });
    const no = `F${compactSecond(this.now())}${String(nextSimNumber(this.db, 'file')).padStart(8, '0')}`;
    const name = `1301_${compactSecond(this.now())}.txt`;
    const zip = zipSync({ [name]: strToU8(lines.join('\r\n')) });
    const filename = `${name.replace(/\.txt$/, '')}.zip`;
    insertSimFile(this.db, { file_qury_no: no, fixmedins_code: env.fixmedins_code, filename, content: Buffer.from(zip).toString('base64'), created_at: this.now().toISOString() });
    return { output: { file_qury_no: no, filename, dld_end_time: infTime(new Date(this.now().getTime() + 86_400_000)).slice(0, 10), data_cn: String(rows.length) } };
  }

  /** 9102 文件下载: a file this institution may fetch, sent as it is (the zip of a 1301). */
  private download(env: RequestEnvelope, f: Record<string, unknown>) {
    const file = getSimFile(this.db, String(f.file_qury_no ?? ''));
    if (!file || file.fixmedins_code !== env.fixmedins_code || String(f.fixmedins_code) !== env.fixmedins_code) throw new Refusal(`文件查询号 ${String(f.file_qury_no)} 不存在`);
    if (!file.filename.endsWith('.zip')) throw new Refusal(`文件 ${file.filename} 不能下载`);
    return { output: {}, file: Buffer.from(file.content, 'base64') };
  }

  /** 9101 文件上传: keeps the file, answers its file_qury_no (A1o Output_9101). */
  private upload(env: RequestEnvelope, f: Record<string, any>) {
    const no = `F${compactSecond(this.now())}${String(nextSimNumber(this.db, 'file')).padStart(8, '0')}`;
    insertSimFile(this.db, { file_qury_no: no, fixmedins_code: env.fixmedins_code, filename: String(f.filename), content: String(f.in), created_at: this.now().toISOString() });
    return { output: { file_qury_no: no, filename: String(f.filename), dld_endtime: infTime(new Date(this.now().getTime() + 86_400_000)) } };
  }

  /**
   * 3202 明细对账: the institution's detail rows (uploaded with 9101) against what stands on the
   * platform, one result row per difference (A1o Output_3202 result: msgid "用于冲正时填写原发送方报文ID").
   * stmt_rslt 1: the platform has it, the institution does not; 2: the institution has it, the platform does not; 3: amounts differ.
   */
  private detailStatement(env: RequestEnvelope, data: Record<string, any>) {
    const file = getSimFile(this.db, String(data.file_qury_no));
    if (!file || file.fixmedins_code !== env.fixmedins_code) throw new Refusal(`文件查询号 ${data.file_qury_no} 不存在`);
    let rows: Record<string, string>[];
    try {
      rows = JSON.parse(file.content) as Record<string, string>[];
      if (!Array.isArray(rows)) throw new Error('not a list');
    } catch {
      throw new Refusal('明细对账文件格式错误');
    }
    const standing = standingSettlements(this.db, { code: env.fixmedins_code, from: String(data.stmt_begndate), to: String(data.stmt_enddate), ...(data.clr_type ? { clrType: String(data.clr_type) } : {}) }).filter(
      (s) => !data.setl_optins || (JSON.parse(s.output_json) as { setlinfo?: { clr_optins?: string } }).setlinfo?.clr_optins === String(data.setl_optins),
    );
    const mine = new Map(rows.map((r) => [String(r.setl_id), r]));
    const result: Record<string, string>[] = [];
    const row = (s: { setl_id: string; mdtrt_id: string | null; psn_no: string; msgid: string; medfee_sumamt: string; fund_pay_sumamt: string; acct_pay: string }, rslt: string, memo: string) => ({
      psn_no: s.psn_no,
      mdtrt_id: s.mdtrt_id ?? s.setl_id,
      setl_id: s.setl_id,
      msgid: s.msgid,
      stmt_rslt: rslt,
      refd_setl_flag: '0',
      memo,
      medfee_sumamt: s.medfee_sumamt,
      fund_pay_sumamt: s.fund_pay_sumamt,
      acct_pay: s.acct_pay,
    });
    for (const s of standing) {
      const m = mine.get(s.setl_id);
      mine.delete(s.setl_id);
      if (!m) result.push(row(s, '1', '医保有、医药机构无 (platform only)'));
      else if (!new Decimal(m.medfee_sumamt ?? '0').equals(new Decimal(s.medfee_sumamt)) || !new Decimal(m.fund_pay_sumamt ?? '0').equals(new Decimal(s.fund_pay_sumamt))) result.push(row(s, '3', '金额不符 (amounts differ)'));
    }
    for (const m of mine.values()) {
      result.push(row({ setl_id: String(m.setl_id), mdtrt_id: m.mdtrt_id ?? null, psn_no: String(m.psn_no ?? ''), msgid: '', medfee_sumamt: String(m.medfee_sumamt), fund_pay_sumamt: String(m.fund_pay_sumamt), acct_pay: String(m.acct_pay ?? '0') }, '2', '医药机构有、医保无 (institution only)'));
    }
    return { output: { fileinfo: { file_qury_no: String(data.file_qury_no), filename: file.filename, dld_endtime: infTime(new Date(this.now().getTime() + 86_400_000)) }, result } };
  }

  /** 3201 对总账: the institution's totals for a period against what stands on the platform. */
  private statement(env: RequestEnvelope, data: Record<string, any>) {
    const rows: SimSettlement[] = standingSettlements(this.db, {
      code: env.fixmedins_code,
      from: String(data.stmt_begndate ?? ''),
      to: String(data.stmt_enddate ?? ''),
      insutype: String(data.insutype ?? ''),
      clrType: String(data.clr_type ?? ''),
    });
    const sum = (f: (s: SimSettlement) => string) => rows.reduce((a, s) => a.plus(new Decimal(f(s))), new Decimal(0));
    const mine = { medfee: sum((s) => s.medfee_sumamt), fund: sum((s) => s.fund_pay_sumamt), acct: sum((s) => s.acct_pay), count: rows.length };
    const diffs: string[] = [];
    if (!mine.medfee.equals(new Decimal(String(data.medfee_sumamt ?? '0')))) diffs.push(`medfee_sumamt platform ${fen(mine.medfee)} vs ${data.medfee_sumamt}`);
    if (!mine.fund.equals(new Decimal(String(data.fund_pay_sumamt ?? '0')))) diffs.push(`fund_pay_sumamt platform ${fen(mine.fund)} vs ${data.fund_pay_sumamt}`);
    if (!mine.acct.equals(new Decimal(String(data.acct_pay ?? '0')))) diffs.push(`acct_pay platform ${fen(mine.acct)} vs ${data.acct_pay}`);
    if (String(mine.count) !== String(data.fixmedins_setl_cnt ?? '')) diffs.push(`fixmedins_setl_cnt platform ${mine.count} vs ${data.fixmedins_setl_cnt}`);
    return {
      output: {
        stmtinfo: {
          setl_optins: data.setl_optins ?? env.mdtrtarea_admvs ?? '',
          stmt_rslt: diffs.length === 0 ? '0' : '1',
          stmt_rslt_dscr: diffs.length === 0 ? '对账平衡 (balanced)' : `对账不平 (unbalanced): ${diffs.join('; ')}`,
          platform: { medfee_sumamt: fen(mine.medfee), fund_pay_sumamt: fen(mine.fund), acct_pay: fen(mine.acct), fixmedins_setl_cnt: mine.count },
        },
      },
    };
  }
}
