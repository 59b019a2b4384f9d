// A settlement record as the CLI, the service and the receipt see it: amounts as strings,
// personal data masked, the outbox state beside it.
import { maskCertno, maskName } from '../identity/mask.ts';
import type { DB } from '../store/db.ts';
import { getSettlement, linesOf, recordsAgainst, type LineRow, type SettlementRow } from '../store/journal.ts';
import { getOutboxBySettlement, platformSettlementsOf, listVariances, type OutboxStatus } from '../store/outbox.ts';

export const OUTBOX_STATUS_ZH: Record<OutboxStatus, string> = {
  pending: '待上传',
  sending: '上传中',
  acked: '已上传',
  rejected: '平台拒绝',
  ambiguous: '结果待确认',
  dead: '多次失败，需处理',
  cancelled: '本地撤销（未上传）',
};

export interface SettlementRecord {
  id: string;
  kind: SettlementRow['kind'];
  receiptNo: string;
  originalId: string | null;
  date: string;
  settledAt: string;
  institution: { code: string; name: string; type: string; level: number };
  patient: { psnNo: string; nameMasked: string; certnoMasked: string; certType: string; insutype: string; conditions: string[] };
  operator: { id: string; name: string };
  policy: { id: string; version: string };
  total: string;
  inScope: string;
  fund: string;
  patientPays: string;
  reason: string | null;
  lines: {
    id: string;
    lineNo: number;
    feedetlSn: string;
    code: string;
    name: string;
    quantity: string;
    price: string;
    total: string;
    inScope: string;
    fund: string;
    patient: string;
    rate: string;
    reversesLineId: string | null;
  }[];
  outbox: { id: string; status: OutboxStatus; statusZh: string; step: number; steps: number; attempts: number; lastError: string | null; rejectReason: string | null; setlId: string | null } | null;
  platform: { setlId: string; role: string; medfeeSumamt: string; fundPaySumamt: string; psnPartAmt: string }[];
  variances: { field: string; lineRef: string; local: string; platform: string; difference: string }[];
  reversedBy: string[];
  hash: string;
}

export function lineView(l: LineRow): SettlementRecord['lines'][number] {
  return {
    id: l.id,
    lineNo: l.line_no,
    feedetlSn: l.feedetl_sn,
    code: l.catalog_code,
    name: l.name,
    quantity: l.quantity,
    price: l.price,
    total: l.total,
    inScope: l.in_scope,
    fund: l.fund,
    patient: l.patient_pay,
    rate: l.rate,
    reversesLineId: l.reverses_line_id,
  };
}

export function toRecord(db: DB, row: SettlementRow): SettlementRecord {
  const p = JSON.parse(row.patient_json) as { psnNo: string; name?: string; certno?: string | null; certNo: string; certType: string; insutype: string; conditions?: string[] };
  const outbox = getOutboxBySettlement(db, row.id);
  return {
    id: row.id,
    kind: row.kind,
    receiptNo: row.receipt_no,
    originalId: row.original_id,
    date: row.settle_date,
    settledAt: row.settled_at,
    institution: { code: row.institution_code, name: row.institution_name, type: row.institution_type, level: row.institution_level },
    patient: {
      psnNo: row.psn_no,
      nameMasked: maskName(p.name ?? ''),
      certnoMasked: maskCertno(p.certno ?? (p.certType === '02' ? p.certNo : '')),
      certType: p.certType,
      insutype: p.insutype,
      conditions: p.conditions ?? [],
    },
    operator: { id: row.operator_id, name: row.operator_name },
    policy: { id: row.policy_id, version: row.policy_version },
    total: row.total,
    inScope: row.in_scope,
    fund: row.fund,
    patientPays: row.patient_pay,
    reason: row.reason,
    lines: linesOf(db, row.id).map(lineView),
    outbox: outbox
      ? {
          id: outbox.id,
          status: outbox.status,
          statusZh: OUTBOX_STATUS_ZH[outbox.status],
          step: outbox.step,
          steps: (JSON.parse(outbox.steps_json) as unknown[]).length,
          attempts: outbox.attempts,
          lastError: outbox.last_error,
          rejectReason: outbox.reject_reason,
          setlId: outbox.setl_id,
        }
      : null,
    platform: platformSettlementsOf(db, row.id).map((p) => ({ setlId: p.setl_id, role: p.role, medfeeSumamt: p.medfee_sumamt, fundPaySumamt: p.fund_pay_sumamt, psnPartAmt: p.psn_part_amt })),
    variances: listVariances(db, { settlementId: row.id }).map((v) => ({ field: v.field, lineRef: v.line_ref, local: v.local_value, platform: v.platform_value, difference: v.difference })),
    reversedBy: row.kind === 'sale' ? recordsAgainst(db, row.id).map((r) => r.id) : [],
    hash: row.hash,
  };
}

export function loadRecord(db: DB, id: string): SettlementRecord | null {
  const row = getSettlement(db, id);
  return row ? toRecord(db, row) : null;
}
