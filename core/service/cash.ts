// Cash sales through the service (core/cash records them, core/print/cash renders the receipt):
// self-pay for what the scheme does not cover, and out-of-area patients with a 垫付 claim receipt, or
// through the platform where it settles 异地 directly (core/sale/out-of-area.ts).
import { recordCashSale, CASH_KIND_ZH, type CashSaleRecord } from '../cash/index.ts';
import { loadPolicyBook, type PolicyBook } from '../policy/index.ts';
import { readSettlement } from '../sale/index.ts';
import { outOfAreaSettledDirectly, settleOutOfAreaDirect } from '../sale/out-of-area.ts';
import { renderCashReceipt } from '../print/cash.ts';
import type { Institution } from '../contract/institution.ts';
import { maskName } from '../identity/mask.ts';
import type { DB } from '../store/db.ts';
import type { OperatorRow } from '../store/counter.ts';
import { resolvePatient } from '../patient/index.ts';
import { InputError, problem } from '../contract/problems.ts';
import { saleRequestHash } from '../sale/index.ts';
import type { MethodArgs, MethodOutput } from './contract.ts';

const TYPE_ZH = { clinic: '定点医疗机构', pharmacy: '定点零售药店' } as const;

export function cashSaleHere(
  db: DB,
  inst: Institution,
  a: Omit<MethodArgs<'cashSale'>, 'session'>,
  operator: Pick<OperatorRow, 'id' | 'name'> & { role?: string | null },
  date: string,
  now: Date,
  book: PolicyBook = loadPolicyBook(undefined),
): MethodOutput<'cashSale'> {
  // A roster patient's own data, else what the operator typed (an out-of-area patient is not on it).
  const rec = a.patient ? resolvePatient(db, a.patient, date).record : null;
  const person = rec
    ? { name: rec.name, certno: rec.certno, insuredRegion: rec.region, insurance: rec.insutype === '310' ? ('employee' as const) : ('resident' as const), conditions: rec.conditions === 'both' ? (['hypertension', 'diabetes'] as const) : [rec.conditions] }
    : a.person;
  if (!person) throw new InputError('INVALID_REQUEST', 'give the patient (scan) or their name', '请扫描患者或填写姓名', [problem('person.name', 'REQUIRED', 'the patient is required', '请填写患者姓名')]);
  if (a.kind === 'out-of-area' && person.insuredRegion && inst.region && person.insuredRegion.slice(0, 4) === inst.region.slice(0, 4)) {
    throw new InputError('NOT_OUT_OF_AREA', `region ${person.insuredRegion} is this institution's own area: settle under the local rules`, '该患者参保地为本地，请按本地两病政策结算', [problem('person.insuredRegion', 'NOT_OUT_OF_AREA', 'the local area', '参保地为本地')]);
  }
  // What the caller asked for, as given (the layout only changes the print): the same requestId with other content is refused.
  const requestHash = saleRequestHash({ kind: a.kind, date: a.date, patient: a.patient, person: a.person, lines: a.lines, reason: a.reason });
  if (a.kind === 'out-of-area' && outOfAreaSettledDirectly(inst.policy)) {
    // The platform settles 异地 here (seed 001 §四): the sale goes through it, not a 垫付 claim.
    const { id } = settleOutOfAreaDirect(db, book, inst, {
      requestId: a.requestId,
      requestHash,
      date,
      person: { name: person.name, psnNo: a.person?.psnNo ?? null, certno: person.certno ?? null, insuredRegion: person.insuredRegion ?? null, insurance: person.insurance ?? null, conditions: [...(person.conditions ?? [])] },
      lines: a.lines,
      operator: { id: operator.id, name: operator.name, role: operator.role ?? null },
      now,
    });
    const { record } = readSettlement(db, id)!;
    const direct: CashSaleRecord = {
      id,
      receiptNo: record.receiptNo,
      kind: 'out-of-area',
      date: record.date,
      createdAt: record.settledAt,
      operator: record.operator,
      psnNo: record.patient.psnNo,
      person: { name: person.name, certno: person.certno ?? null, insuredRegion: person.insuredRegion ?? null, insurance: person.insurance ?? null, conditions: [...(person.conditions ?? [])] },
      lines: record.lines.map((l) => ({ code: l.code, name: l.name, spec: null, drugClass: null, vbp: false, quantity: l.quantity, price: l.price, total: l.total })),
      total: record.total,
      reason: null,
    };
    const r = renderCashReceipt(direct, { code: inst.code, name: inst.name, typeZh: TYPE_ZH[inst.type], level: inst.level }, a.layout, now.toISOString(), { direct: true });
    return { ...outputOf(direct, r), kindZh: OUT_OF_AREA_DIRECT_ZH, settledBy: 'platform' };
  }
  const rec2 = recordCashSale(
    db,
    {
      requestId: a.requestId,
      kind: a.kind,
      date,
      psnNo: rec?.psn_no ?? null,
      person: { name: person.name, certno: person.certno ?? null, insuredRegion: person.insuredRegion ?? null, insurance: person.insurance ?? null, conditions: [...(person.conditions ?? [])] },
      lines: a.lines,
      reason: a.reason ?? null,
      operator: { id: operator.id, name: operator.name },
      requestHash,
    },
    now,
  );
  const r = renderCashReceipt(rec2, { code: inst.code, name: inst.name, typeZh: TYPE_ZH[inst.type], level: inst.level }, a.layout, now.toISOString());
  return { ...outputOf(rec2, r), kindZh: CASH_KIND_ZH[rec2.kind], settledBy: 'counter' };
}

const OUT_OF_AREA_DIRECT_ZH = '异地就医（医保平台直接结算）';

function outputOf(s: CashSaleRecord, r: { html: string; pageSize: { widthMm: number; heightMm: number | null } }) {
  return {
    id: s.id,
    receiptNo: s.receiptNo,
    kind: s.kind,
    date: s.date,
    total: s.total,
    nameMasked: maskName(s.person.name),
    lines: s.lines.map((l) => ({ code: l.code, name: l.name, quantity: l.quantity, price: l.price, total: l.total })),
    html: r.html,
    pageSize: r.pageSize,
  };
}

