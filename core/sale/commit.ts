// Step 3 of the sale pipeline: commit a priced sale in ONE synchronous better-sqlite3
// transaction (nothing awaits inside it, so a crash leaves all of it or none of it): the journal
// record with its lines and hash, the pool ledger entry, what was dispensed and the overrides it
// used, the payment (应收/实收/找零 per method), the outbox row with its platform messages (msgids assigned now), and who settled it with
// their role and the prescription, bound to the request's idempotency key and hash.
import { v7 as uuidv7 } from 'uuid';
import type { DB } from '../store/db.ts';
import { insertLines, insertSettlement, journalHead, settlementForRequest, type LineRow, type SettlementRow } from '../store/journal.ts';
import { recordLedgerUsage } from '../store/ledger.ts';
import { insertCounterDispensing, linkOverrides } from '../store/supervision.ts';
import { recordSettlementOperator } from '../store/counter.ts';
import { insertPayment } from '../store/payment.ts';
import type { RecordedPayment } from '../contract/payment.ts';
import { enqueueRecord } from '../outbox/enqueue.ts';
import { saleSteps } from '../outbox/steps.ts';
import { recordHash } from '../settlement/hash.ts';
import { TWO_DISEASE_POOL } from '../store/ledger.ts';
import { insertTraceCodes } from '../store/trace-codes.ts';
import type { SaleFacts } from './price.ts';

export interface CommitOptions {
  /** Who settles: the role is recorded with the settlement when the operator is registered (null: not registered, CLI scripts). */
  operator: { id: string; name: string; role: string | null };
  /** The caller's idempotency key and the hash of its request (the same key with another body is refused by the caller). */
  requestId?: string | null;
  requestHash?: string | null;
  now: Date;
  /** Source of record ids (uuid v7 by default; tests inject a fixed sequence). */
  ids?: () => string;
  /** How the patient's share was collected (checked against it by checkPayment), recorded with the settlement. */
  payment?: RecordedPayment | null;
  /** The settlement's id when the caller chose it already (trace codes claimed at the hub under it). */
  settlementId?: string;
}

function isRequestIdConflict(e: unknown): boolean {
  const err = e as { code?: string; message?: string };
  return err.code === 'SQLITE_CONSTRAINT_UNIQUE' && /request_id/.test(err.message ?? '');
}

/** The line's dispensed facts as the journal keeps them (the codes also in their own table). */
function dispensedFacts(d: NonNullable<SaleFacts['dispensed']>[number]): Record<string, unknown> {
  return {
    ...(d.traceCodes ? { traceCodes: d.traceCodes } : {}),
    ...(d.batch ? { batch: d.batch } : {}),
    ...(d.expiry ? { expiry: d.expiry } : {}),
    ...(d.manufactureDate ? { manufactureDate: d.manufactureDate } : {}),
    ...(d.usage ? { usage: d.usage } : {}),
    ...(d.days !== null ? { days: d.days } : {}),
  };
}

/** Writes the sale; returns the settlement id (the one already made, when the requestId was used). */
export function commitSale(db: DB, facts: SaleFacts, o: CommitOptions): string {
  const ids = o.ids ?? uuidv7;
  const nowIso = o.now.toISOString();
  const write = db.transaction((): string => {
    const { request, result, patient, institution } = facts;
    const settlementId = o.settlementId ?? ids();
    const head = journalHead(db, request.date, 'S');
    const receiptNo = head.receiptNo;
    const lines: LineRow[] = result.lines.map((r, i) => {
      const q = request.lines[i]!;
      const c = facts.lines[i]!;
      const d = facts.dispensed?.[i];
      return {
        id: ids(),
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
        facts_json: JSON.stringify({ kind: q.kind, listed: q.listed, vbp: q.vbp, paymentStandard: q.paymentStandard ?? null, spec: c.spec ?? null, reason: r.reason, source: r.source, ...(d ? dispensedFacts(d) : {}) }),
        reverses_line_id: null,
      };
    });
    const row: SettlementRow = {
      id: settlementId,
      request_id: o.requestId ?? null,
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
      operator_id: o.operator.id,
      operator_name: o.operator.name,
      policy_id: result.policy.id,
      policy_version: result.policy.version,
      total: result.total,
      in_scope: result.inScope,
      fund: result.fund,
      patient_pay: result.patient,
      request_json: JSON.stringify(request),
      result_json: JSON.stringify(result),
      reason: null,
      prev_hash: head.prevHash,
      hash: '',
    };
    row.hash = recordHash(row, lines);
    insertSettlement(db, row);
    insertLines(db, lines);
    insertTraceCodes(db, lines.flatMap((l, i) => (facts.dispensed?.[i]?.traceCodes ?? []).map((code) => ({ code, lineId: l.id, settlementId }))), nowIso);
    recordLedgerUsage(db, { psnNo: patient.psnNo, date: request.date, pool: TWO_DISEASE_POOL, amount: result.fund, settlementId }, nowIso);
    if (facts.dispensing && facts.dispensing.lines.length > 0) {
      const d = facts.dispensing;
      insertCounterDispensing(db, { settlementId, psnNo: d.psnNo, date: request.date, institution: d.institution, lines: d.lines.map((l) => ({ lineRef: l.id, code: l.code, genericName: l.genericName, drugGroup: l.drugGroup, days: l.days })) }, nowIso);
      if (d.overrideIds.length > 0) linkOverrides(db, d.overrideIds, settlementId);
    }
    if (o.payment) {
      insertPayment(db, { settlementId, due: o.payment.due, received: o.payment.received, change: o.payment.change, methodsJson: JSON.stringify(o.payment.methods), operatorId: o.operator.id, recordedAt: nowIso });
    }
    enqueueRecord(db, { settlement: row, steps: saleSteps(institution.type, request.policy), dependsOn: null, status: 'pending', now: o.now, id: ids() });
    if (o.operator.role !== null) {
      recordSettlementOperator(
        db,
        {
          settlementId,
          requestId: o.requestId ?? null,
          operatorId: o.operator.id,
          operatorName: o.operator.name,
          operatorRole: o.operator.role,
          prescription: facts.prescription ? { ...facts.prescription } : null,
          requestHash: o.requestHash ?? null,
        },
        nowIso,
      );
    }
    return settlementId;
  });
  try {
    return write();
  } catch (e) {
    // Another writer committed this requestId first: answer with its settlement, never a second one.
    if (o.requestId && isRequestIdConflict(e)) {
      const existing = settlementForRequest(db, o.requestId);
      if (existing) return existing.id;
    }
    throw e;
  }
}
