// Day close: the 3201 total reconciliation (对总账) of a day, by insutype and clearing type,
// with the totals of what the platform acknowledged. Refused while any of the day's records is
// not final on the platform (anchors B: odoo #203431, orders pushed after the session closed).
import { Decimal, fen } from '../money/decimal.ts';
import { InputError } from '../contract/problems.ts';
import { isRealDate } from '../contract/fields.ts';
import { loadPlatformConfig, type PlatformConfig } from '../platform/config.ts';
import { buildEnvelope, outputSchemaFor } from '../platform/envelope.ts';
import { stmtInput } from '../platform/mapping.ts';
import { PlatformClient } from '../platform/client.ts';
import type { DB } from '../store/db.ts';
import { getSettlement, insertAnchor, listSettlements } from '../store/journal.ts';
import { insertDayClose, nextMsgid, platformTotalsForDate, unfinishedForDate, type DayCloseRow } from '../store/outbox.ts';
import { OUTBOX_STATUS_ZH } from '../settlement/view.ts';

export interface DayCloseResult {
  date: string;
  balanced: boolean;
  groups: { insutype: string; clrType: string; medfee: string; fund: string; acct: string; count: number; stmtRslt: string | null; description: string | null; balanced: boolean }[];
  /**
   * The journal's head when the day was closed, recorded as a sealed anchor and printed on the
   * 日结 statement. It is not sent to the platform: 3201 has no field that could carry it
   * (platform-fields.md, 3201), so the paper statement is the copy kept outside the computer.
   */
  anchor: { seq: number; hash: string };
}

export class DayNotReadyError extends InputError {}

export async function closeDay(db: DB, o: { date: string; endpoint: string; config?: PlatformConfig; timeoutMs?: number; now?: () => Date }): Promise<DayCloseResult> {
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
  const groups = platformTotalsForDate(db, o.date);
  const anchor = db.transaction(() => insertAnchor(db, 'day', o.date, now().toISOString()))();
  const result: DayCloseResult = { date: o.date, balanced: true, groups: [], anchor: { seq: anchor.seq, hash: anchor.hash } };
  if (!any || groups.length === 0) return result;
  const region = config.region(any.policy_id);
  const patient = JSON.parse(any.patient_json) as { region?: string | null };
  const admvs = patient.region ?? region.mdtrtareaAdmvs;
  const client = new PlatformClient(o.endpoint, { timeoutMs: o.timeoutMs ?? 15_000 });
  try {
    for (const g of groups) {
      const sum = (xs: string[]) => fen(xs.reduce((a, x) => a.plus(new Decimal(x)), new Decimal(0)));
      const clrType = g.institution_type === 'pharmacy' ? '41' : '11';
      const totals = { medfee: sum(g.medfee), fund: sum(g.fund), acct: sum(g.acct), count: g.settlements };
      const msgid = db.transaction(() => nextMsgid(db, any.institution_code, now()))();
      const env = buildEnvelope(
        '3201',
        msgid,
        stmtInput({ insutype: g.insutype, clrType, date: o.date, ...totals, clrOptins: admvs }),
        { region, mdtrtareaAdmvs: admvs, insuplcAdmdvs: admvs, institution: { code: any.institution_code, name: any.institution_name }, operator: { id: 'dayclose', name: '日结' } },
        now(),
      );
      const out = await client.send(env, outputSchemaFor('stmt'), region.transport.path);
      let stmtRslt: string | null = null;
      let description: string | null = null;
      if (out.kind === 'reply' && out.reply.infcode === 0) {
        const info = (out.reply.output as { stmtinfo: { stmt_rslt: string; stmt_rslt_dscr?: string | null } }).stmtinfo;
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
      result.groups.push({ insutype: g.insutype, clrType, ...totals, stmtRslt, description, balanced });
      if (!balanced) result.balanced = false;
    }
  } finally {
    client.close();
  }
  return result;
}
