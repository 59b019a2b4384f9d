// Filing at the counter through the service (the screen's 新增病种 path and the one-stop filing
// of a new patient): core/filing plans and records it; this shapes the answer for the screen.
import { fileAtCounter, filingInstitution, type FilingRequest } from '../filing/index.ts';
import type { DB } from '../store/db.ts';
import type { OperatorRow } from '../store/counter.ts';
import { CONDITION_ZH, type MethodOutput } from './contract.ts';

export function fileHere(db: DB, request: FilingRequest, operator: Pick<OperatorRow, 'id' | 'name'>, now: Date): MethodOutput<'file'> {
  const inst = filingInstitution(db);
  const out = fileAtCounter(db, { request, institution: inst, operator: { id: operator.id, name: operator.name }, codeSet: inst.codeSet }, now);
  const conditions = out.filing.conditionsAfter;
  return {
    filingId: out.filing.id,
    kind: out.filing.kind,
    psnNo: out.filing.psnNo,
    conditions,
    conditionsZh: conditions.map((c) => CONDITION_ZH[c]).join('、') || '无',
    managementClass: out.filing.managementClass,
    uploads: out.uploads.length,
    summaryZh: out.summaryZh,
  };
}
