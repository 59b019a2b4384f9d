// settle(): a sale is committed locally in ONE synchronous SQLite transaction: the journal
// record with its lines and the engine's split (policy id and version), the pool ledger entry,
// the outbox row and its platform messages (msgids assigned now). Nothing awaits inside it,
// so a crash leaves either all of it or none of it.
import { v7 as uuidv7 } from 'uuid';
import { InputError, parseOrThrow } from '../contract/problems.ts';
import type { QuoteResult } from '../contract/quote.ts';
import type { DB } from '../store/db.ts';
import {
  getSettlementByRequestId,
  insertLine,
  insertSettlement,
  lastHash,
  nextReceiptNo,
  type LineRow,
  type SettlementRow,
} from '../store/journal.ts';
import { enqueueRecord } from '../outbox/enqueue.ts';
import { saleSteps } from '../outbox/steps.ts';
import { recordHash } from './hash.ts';
import { commitRecord } from './commit.ts';
import { recordPoolUsage } from './ledger-bridge.ts';
import { SettleInputSchema, type SettleInput } from './contract.ts';
import { loadRecord, type SettlementRecord } from './view.ts';

export interface SettleOptions {
  now?: Date;
}

function refuse(code: string, en: string, zh: string, path = ''): never {
  throw new InputError(code, en, zh, [{ path, code, message: en, messageZh: zh }]);
}

/** The result must be the engine's answer to this very request, and eligible. */
function checkResultMatches(input: SettleInput): void {
  const { request, result } = input;
  if (!result.eligible) {
    const why = result.reasons.map((r) => r.code).join(', ');
    refuse('NOT_ELIGIBLE', `This sale is not covered by the two-disease scheme (${why}); settle it as self-pay`, `本次购药不符合两病报销条件（${why}），请按自费结算`);
  }
  if (result.policy.id !== request.policy) refuse('RESULT_MISMATCH', 'The quote result is for another policy than the request', '结算结果与请求的政策不一致');
  const reqIds = request.lines.map((l) => l.id);
  const resIds = result.lines.map((l) => l.id);
  if (reqIds.join('\u0000') !== resIds.join('\u0000')) refuse('RESULT_MISMATCH', 'The quote result lines do not match the request lines', '结算结果的明细与请求不一致');
  const catalogIds = new Set(input.lines.map((l) => l.lineId));
  reqIds.forEach((id, i) => {
    if (!catalogIds.has(id)) refuse('LINE_WITHOUT_CATALOG', `line ${id} has no catalog code`, `明细 ${id} 缺少医保目录编码`, `lines.${i}`);
  });
}

export function settle(db: DB, raw: SettleInput, options: SettleOptions = {}): SettlementRecord {
  const parsed = parseOrThrow(SettleInputSchema, raw);
  const input: SettleInput = { ...raw, ...parsed, result: raw.result };
  checkResultMatches(input);
  const now = options.now ?? new Date();
  const nowIso = now.toISOString();

  return commitRecord(db, (): string => {
    if (input.requestId) {
      const existing = getSettlementByRequestId(db, input.requestId);
      if (existing) return existing.id;
    }
    const { request, result, patient, institution, operator } = input;
    const settlementId = uuidv7();
    const receiptNo = nextReceiptNo(db, request.date, 'S');
    const byLine = new Map(input.lines.map((l) => [l.lineId, l]));
    const lines: LineRow[] = result.lines.map((r, i) => {
      const q = request.lines[i]!;
      const c = byLine.get(r.id)!;
      return {
        id: uuidv7(),
        settlement_id: settlementId,
        line_no: i + 1,
        feedetl_sn: `${receiptNo}${String(i + 1).padStart(3, '0')}`,
        quote_line_id: r.id,
        catalog_code: c.code,
        own_code: c.ownCode ?? null,
        name: c.name,
        quantity: q.quantity,
        price: q.price,
        total: r.total,
        in_scope: r.inScope,
        fund: r.fund,
        patient_pay: r.patient,
        rate: r.rate,
        covered: r.covered ? 1 : 0,
        facts_json: JSON.stringify({ kind: q.kind, listed: q.listed, vbp: q.vbp, paymentStandard: q.paymentStandard ?? null, spec: c.spec ?? null, reason: r.reason, source: r.source }),
        reverses_line_id: null,
      };
    });
    const row: SettlementRow = {
      id: settlementId,
      request_id: input.requestId ?? null,
      kind: 'sale',
      original_id: null,
      receipt_no: receiptNo,
      settle_date: request.date,
      settled_at: nowIso,
      institution_code: institution.code,
      institution_name: institution.name,
      institution_type: institution.type,
      institution_level: institution.level,
      psn_no: patient.psnNo,
      patient_json: JSON.stringify({
        ...patient,
        conditions: request.patient.conditions,
        managementClass: request.patient.managementClass ?? null,
        region: institution.region ?? null,
      }),
      operator_id: operator.id,
      operator_name: operator.name,
      policy_id: result.policy.id,
      policy_version: result.policy.version,
      total: result.total,
      in_scope: result.inScope,
      fund: result.fund,
      patient_pay: result.patient,
      request_json: JSON.stringify(request),
      result_json: JSON.stringify(result),
      reason: null,
      prev_hash: lastHash(db),
      hash: '',
    };
    row.hash = recordHash(row, lines);
    insertSettlement(db, row);
    for (const line of lines) insertLine(db, line);
    recordPoolUsage(db, { psnNo: patient.psnNo, date: request.date, amount: result.fund, settlementId });
    enqueueRecord(db, { settlement: row, steps: saleSteps(institution.type), dependsOn: null, status: 'pending', now });
    return settlementId;
  }, (id) => loadRecord(db, id)!);
}

export type { QuoteResult };
