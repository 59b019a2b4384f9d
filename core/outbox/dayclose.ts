// Day close: the 3201 total reconciliation (对总账) of a day, one call per insutype × clr_type ×
// clearing institution as each settlement's own reply reported them (platform-fields.md 3201:
// setl_optins "清算经办机构（严格对应）"), with the totals of what the platform acknowledged. Refused while any of the day's records is
// not final on the platform (anchors B: odoo #203431, orders pushed after the session closed).
import { Decimal, fen } from '../money/decimal.ts';
import { InputError } from '../contract/problems.ts';
import { isRealDate } from '../contract/fields.ts';
import { loadPlatformConfig, type PlatformConfig } from '../platform/config.ts';
import { buildEnvelope, outputSchemaFor } from '../platform/envelope.ts';
import { stmtInput } from '../platform/mapping.ts';
import { cryptoOption, PlatformClient } from '../platform/client.ts';
import type { PlatformKeys } from '../platform/crypto.ts';
import type { DB } from '../store/db.ts';
import { getSettlement, insertAnchor, listSettlements } from '../store/journal.ts';
import {
  getMessage,
  getOutbox,
  getTerminal,
  insertDayClose,
  insertMessage,
  insertRepair,
  messagesOf,
  nextMsgid,
  platformAnswersForDate,
  standingForDate,
  unfinishedForDate,
  updateOutbox,
  type DayCloseRow,
  type RepairRow,
} from '../store/outbox.ts';
import { v7 as uuidv7 } from 'uuid';
import type { EnvelopeContext } from '../platform/envelope.ts';
import { parseSteps } from './steps.ts';
import { PlatformSession } from './session.ts';
import { OUTBOX_STATUS_ZH } from '../settlement/view.ts';

export interface DayCloseResult {
  date: string;
  balanced: boolean;
  groups: { insutype: string; clrType: string; clrOptins: string; medfee: string; fund: string; acct: string; count: number; stmtRslt: string | null; description: string | null; balanced: boolean }[];
  /** What a 3202 明细对账 found and did for an unbalanced group (each also an immutable day_close_repair row). */
  repairs: RepairRow[];
  /**
   * The journal's head when the day was closed, recorded as a sealed anchor and printed on the
   * 日结 statement. It is not sent to the platform: 3201 has no field that could carry it
   * (platform-fields.md, 3201), so the paper statement is the copy kept outside the computer.
   */
  anchor: { seq: number; hash: string };
}

interface Group {
  insutype: string;
  clrType: string;
  clrOptins: string;
  medfee: string[];
  fund: string[];
  acct: string[];
  settlements: number;
}

/** Groups a day's platform answers by the insutype, clr_type and clr_optins each settlement's reply carried. */
export function groupForStatement(rows: ReturnType<typeof platformAnswersForDate>, fallbackOptins: string): Group[] {
  const groups = new Map<string, Group>();
  for (const r of rows) {
    const own = JSON.parse(r.setlinfo_json) as Record<string, unknown>;
    const sale = r.sale_setlinfo_json ? (JSON.parse(r.sale_setlinfo_json) as Record<string, unknown>) : {};
    const pick = (k: string, fallback: string) => String(own[k] ?? sale[k] ?? fallback);
    const g0 = { insutype: pick('insutype', r.insutype), clrType: pick('clr_type', r.institution_type === 'pharmacy' ? '41' : '11'), clrOptins: pick('clr_optins', fallbackOptins) };
    const key = `${g0.insutype}/${g0.clrType}/${g0.clrOptins}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { ...g0, medfee: [], fund: [], acct: [], settlements: 0 }));
    g.medfee.push(r.medfee_sumamt);
    g.fund.push(r.fund_pay_sumamt);
    g.acct.push(r.acct_pay);
    g.settlements += r.role === 'settle' ? 1 : -1;
  }
  return [...groups.values()];
}

export class DayNotReadyError extends InputError {}

export async function closeDay(
  db: DB,
  o: { date: string; endpoint: string; config?: PlatformConfig; timeoutMs?: number; now?: () => Date; operator?: { id: string; name: string }; keys?: PlatformKeys | null },
): Promise<DayCloseResult> {
  if (!isRealDate(o.date)) throw new InputError('INVALID_DATE', `--date must be yyyy-MM-dd, got ${JSON.stringify(o.date)}`, '日期格式不正确');
  const blocking = unfinishedForDate(db, o.date);
  if (blocking.length > 0) {
    const list = blocking.slice(0, 20).map((b) => {
      const s = getSettlement(db, b.settlement_id);
      return { path: s?.receipt_no ?? b.settlement_id, code: `OUTBOX_${b.status.toUpperCase()}`, message: `${s?.receipt_no}: ${b.status}${b.last_error ? ` (${b.last_error})` : ''}`, messageZh: `${s?.receipt_no}：${OUTBOX_STATUS_ZH[b.status]}` };
    });
    throw new DayNotReadyError(
      'DAY_NOT_UPLOADED',
      `Day ${o.date} cannot be closed: ${blocking.length} settlement record(s) are not final on the platform (upload them, resolve rejected ones by a reversal, or retry dead ones first)`,
      `${o.date} 还有 ${blocking.length} 笔结算未完成上传，不能日结。请先上传；被拒绝的请退费处理，多次失败的请重试。`,
      list,
    );
  }
  const config = o.config ?? loadPlatformConfig();
  const now = o.now ?? (() => new Date());
  const any = listSettlements(db, { date: o.date, limit: 1 })[0];
  const anchor = db.transaction(() => insertAnchor(db, 'day', o.date, now().toISOString()))();
  const result: DayCloseResult = { date: o.date, balanced: true, groups: [], repairs: [], anchor: { seq: anchor.seq, hash: anchor.hash } };
  if (!any) return result;
  const region = config.region(any.policy_id);
  const patient = JSON.parse(any.patient_json) as { region?: string | null };
  const admvs = patient.region ?? region.mdtrtareaAdmvs;
  const groups = groupForStatement(platformAnswersForDate(db, o.date), admvs);
  if (groups.length === 0) return result;
  const client = new PlatformClient(o.endpoint, { timeoutMs: o.timeoutMs ?? 15_000, ...cryptoOption(config, o.keys) });
  // 3201 is a business message: it goes under a 9001 sign-in like any other (the closing operator's, else the day's last).
  const envCtx = {
    region,
    mdtrtareaAdmvs: admvs,
    insuplcAdmdvs: admvs,
    institution: { code: any.institution_code, name: any.institution_name },
    operator: o.operator ?? { id: any.operator_id, name: any.operator_name },
    devNo: getTerminal(db)?.devNo ?? '',
  };
  try {
    const signNo = await new PlatformSession(db, client, config, now).signNo(envCtx);
    for (const g of groups) {
      const sum = (xs: string[]) => fen(xs.reduce((a, x) => a.plus(new Decimal(x)), new Decimal(0)));
      const clrType = g.clrType;
      const totals = { medfee: sum(g.medfee), fund: sum(g.fund), acct: sum(g.acct), count: g.settlements };
      const msgid = db.transaction(() => nextMsgid(db, any.institution_code, now()))();
      const env = buildEnvelope('3201', msgid, stmtInput({ insutype: g.insutype, clrType, date: o.date, ...totals, clrOptins: g.clrOptins, anchor: region.statementExtension ? { field: region.statementExtension, seq: anchor.seq, hash: anchor.hash } : null }), { ...envCtx, signNo }, now());
      const out = await client.send(env, outputSchemaFor('3201'), region.transport.path);
      let stmtRslt: string | null = null;
      let description: string | null = null;
      if (out.kind === 'reply' && out.reply.infcode === 0) {
        const info = out.reply.output.stmtinfo;
        stmtRslt = info.stmt_rslt;
        description = info.stmt_rslt_dscr ?? null;
      } else {
        description = out.kind === 'reply' ? out.reply.err_msg : out.error;
      }
      // A balanced statement has been seen as '0' and as '000000' (platform-interface.md §2).
      const balanced = stmtRslt !== null && /^0+$/.test(stmtRslt);
      const row: DayCloseRow = {
        msgid,
        settle_date: o.date,
        insutype: g.insutype,
        clr_type: clrType,
        medfee_sumamt: totals.medfee,
        fund_pay_sumamt: totals.fund,
        acct_pay: totals.acct,
        setl_cnt: totals.count,
        stmt_rslt: stmtRslt,
        stmt_rslt_dscr: description,
        balanced: balanced ? 1 : 0,
        reply_json: out.kind === 'reply' ? out.body : null,
        closed_at: now().toISOString(),
      };
      insertDayClose(db, row);
      result.groups.push({ insutype: g.insutype, clrType, clrOptins: g.clrOptins, ...totals, stmtRslt, description, balanced });
      if (!balanced) {
        result.balanced = false;
        if (stmtRslt !== null) result.repairs.push(...(await reconcileDetail(db, client, { date: o.date, group: g, envCtx: { ...envCtx, signNo }, code: any.institution_code, now })));
      }
    }
  } finally {
    client.close();
  }
  return result;
}

/**
 * 3202 明细对账 for a group 3201 found unbalanced: the counter's standing settlements go up as a
 * 9101 file, the platform answers the rows that differ, and each is repaired as an immutable record:
 *   2 (the platform lacks one we hold) → the record's settle step is re-sent under a new msgid;
 *   1 (the platform holds one under a msgid of ours we hold as undone) → 2601 冲正 of that msgid;
 *   anything else → reported for the operator.
 */
async function reconcileDetail(db: DB, client: PlatformClient, o: { date: string; group: Group; envCtx: EnvelopeContext; code: string; now: () => Date }): Promise<RepairRow[]> {
  const path = o.envCtx.region.transport.path;
  const mine = standingForDate(db, o.date).filter((p) => {
    const s = JSON.parse(p.setlinfo_json) as Record<string, unknown>;
    return String(s.clr_type ?? o.group.clrType) === o.group.clrType && String(s.clr_optins ?? o.group.clrOptins) === o.group.clrOptins;
  });
  const rows = mine.map((p) => ({ setl_id: p.setl_id, mdtrt_id: p.mdtrt_id ?? '', psn_no: p.psn_no, medfee_sumamt: p.medfee_sumamt, fund_pay_sumamt: p.fund_pay_sumamt, acct_pay: p.acct_pay, refd_setl_flag: '0' }));
  const sum = (f: (r: (typeof rows)[number]) => string) => fen(rows.reduce((a, r) => a.plus(new Decimal(f(r))), new Decimal(0)));
  const msgid = () => db.transaction(() => nextMsgid(db, o.code, o.now()))();
  const filename = `3202-${o.date}-${o.group.clrType}-${o.group.clrOptins}.json`;
  const up = await client.send(buildEnvelope('9101', msgid(), { fsUploadIn: { in: JSON.stringify(rows), filename, fixmedins_code: o.code } }, o.envCtx, o.now()), outputSchemaFor('9101'), path);
  if (up.kind !== 'reply' || up.reply.infcode !== 0) return [];
  const medfee = sum((r) => r.medfee_sumamt);
  const fund = sum((r) => r.fund_pay_sumamt);
  const cash = fen(new Decimal(medfee).minus(fund).minus(sum((r) => r.acct_pay)));
  const detail = await client.send(
    buildEnvelope(
      '3202',
      msgid(),
      {
        data: {
          setl_optins: o.group.clrOptins,
          file_qury_no: up.reply.output.file_qury_no,
          stmt_begndate: o.date,
          stmt_enddate: o.date,
          medfee_sumamt: medfee,
          fund_pay_sumamt: fund,
          cash_payamt: cash,
          fixmedins_setl_cnt: String(rows.length),
          clr_type: o.group.clrType,
        },
      },
      o.envCtx,
      o.now(),
    ),
    outputSchemaFor('3202'),
    path,
  );
  if (detail.kind !== 'reply' || detail.reply.infcode !== 0) return [];
  const repairs: RepairRow[] = [];
  for (const r of detail.reply.output.result) {
    const base = { id: uuidv7(), settle_date: o.date, setl_id: r.setl_id, stmt_rslt: r.stmt_rslt, created_at: o.now().toISOString() };
    const held = mine.find((p) => p.setl_id === r.setl_id);
    if (r.stmt_rslt === '2' && held) {
      // The platform lost it: re-send the record's settle step under a new msgid (the lost setl_id stops counting).
      const row = getOutbox(db, held.outbox_id)!;
      const steps = parseSteps(row.steps_json);
      const settleStep = steps.map((s) => s.action).lastIndexOf('settle');
      const attempt = Math.max(...messagesOf(db, row.id).filter((m) => m.step === settleStep).map((m) => m.attempt)) + 1;
      const repair: RepairRow = { ...base, kind: 'resend', msgid: held.msgid, settlement_id: held.settlement_id, detail: `platform lacks ${r.setl_id} (3202 ${r.memo ?? ''}); settle step re-sent` };
      db.transaction(() => {
        insertRepair(db, repair);
        insertMessage(db, { msgid: nextMsgid(db, o.code, o.now()), outbox_id: row.id, step: settleStep, attempt, infno: steps[settleStep]!.infno, status: 'planned' });
        updateOutbox(db, row.id, { status: 'pending', step: settleStep, next_attempt_at: 0, setl_id: null, chain_setl_id: null, last_error: repair.detail, updated_at: o.now().toISOString() });
      })();
      repairs.push(repair);
      continue;
    }
    const ours = r.msgid ? getMessage(db, r.msgid) : undefined;
    if (r.stmt_rslt === '1' && ours && ours.status !== 'acked') {
      // The platform kept a message we hold as undone (reversed, refused or unknown): 冲正 it.
      const psnNo = r.psn_no ?? '';
      const rev = await client.send(buildEnvelope('2601', msgid(), { data: { psn_no: psnNo, omsgid: ours.msgid, oinfno: ours.infno } }, o.envCtx, o.now()), outputSchemaFor('2601'), path);
      const ok = rev.kind === 'reply' && rev.reply.infcode === 0;
      const repair: RepairRow = { ...base, kind: ok ? 'reverse' : 'report', msgid: ours.msgid, settlement_id: null, detail: ok ? `platform kept ${r.setl_id} of message ${ours.msgid}; 2601 冲正 done` : `platform kept ${r.setl_id} of message ${ours.msgid}; 2601 failed: ${rev.kind === 'reply' ? rev.reply.err_msg : rev.error}` };
      insertRepair(db, repair);
      repairs.push(repair);
      continue;
    }
    const repair: RepairRow = { ...base, kind: 'report', msgid: r.msgid || null, settlement_id: held?.settlement_id ?? null, detail: `3202 ${r.stmt_rslt}: ${r.memo ?? ''}` };
    insertRepair(db, repair);
    repairs.push(repair);
  }
  return repairs;
}
