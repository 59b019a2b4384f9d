// Filing at the counter through the service (the screen's 新增病种 path and the one-stop filing
// of a new patient), the filing offer for someone not on the roster and the candidates list:
// core/filing decides and records; this shapes the answers for the screen.
import { fileAtCounter, filingInstitution, type FilingRequest } from '../filing/index.ts';
import { addCandidate, candidateViews, candidatesCsv, filingOffer } from '../filing/candidates.ts';
import { maskCertno } from '../identity/mask.ts';
import type { Institution } from '../contract/institution.ts';
import type { DB } from '../store/db.ts';
import type { OperatorRow } from '../store/counter.ts';
import { CONDITION_ZH, type MethodArgs, type MethodOutput } from './contract.ts';

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

export function offerFiling(db: DB, certno: string): MethodOutput<'filingOffer'> {
  return filingOffer(db, filingInstitution(db), certno.toUpperCase());
}

export function addCandidateHere(db: DB, a: Omit<MethodArgs<'addCandidate'>, 'session'>, operator: Pick<OperatorRow, 'id'>, date: string): MethodOutput<'addCandidate'> {
  addCandidate(db, { certno: a.certno, name: a.name, conditions: a.conditions, drugs: a.drugs ?? null, date, operatorId: operator.id });
  return candidateViews(db).find((v) => v.certnoMasked === maskCertno(a.certno.toUpperCase()) && v.lastSeen === date)!;
}

export function candidatesHere(db: DB, inst: Institution, date: string): MethodOutput<'candidates'> {
  const items = candidateViews(db);
  return { items, csv: candidatesCsv(items, inst), filename: `两病待认定人员名单-${inst.code}-${date}.csv` };
}
