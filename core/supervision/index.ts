// Supervision at the counter, wired to the database: load the region's supply rules, the
// patient's dispensing history and open overrides; record overrides (authorised operators, a
// written reason) and what was dispensed.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { DB } from '../store/db.ts';
import type { PolicyBook } from '../policy/load.ts';
import { InputError, parseOrThrow } from '../contract/problems.ts';
import { isoDate } from '../contract/fields.ts';
import { maskCertno } from '../identity/mask.ts';
import {
  deleteCounterDispensing,
  dispensingHistory,
  insertCounterDispensing,
  insertImportedDispensing,
  insertOverride,
  linkOverrides,
  openOverrides,
  operatorRole,
  type OverrideRow,
} from '../store/supervision.ts';
import { checkSupervision, lineDays, MIN_REASON_CHARS, OVERRIDE_ROLES, SupervisionLineSchema, type SupervisionResult, type SupervisionRule } from './check.ts';
import { addDays } from './dates.ts';

export * from './check.ts';
export { daysOfSupply, maxQuantityFor } from './supply.ts';
export { coverage, refillVerdict, isSameDrug, type DispensedEntry } from './refill.ts';
export { addDays, daysBetween, monthRange } from './dates.ts';

/** History older than this cannot leave anything to cover today (longest supply is a few months). */
const HISTORY_DAYS = 400;

export const SaleCheckSchema = z.object({
  policy: z.string().min(1),
  psnNo: z.string().min(1).max(30),
  date: isoDate('date', '日期'),
  lines: z.array(SupervisionLineSchema).min(1).max(500),
});
export type SaleCheckInput = z.input<typeof SaleCheckSchema>;

export function supplyRules(book: PolicyBook, policy: string, date: string) {
  const { version } = book.resolve(policy, date);
  const s = version.supply;
  return {
    maxDaysPerPrescription: s?.maxDaysPerPrescription ?? null,
    refillWhenDaysLeftAtMost: s?.refillWhenDaysLeftAtMost ?? 15,
    source: s?.source ?? 'no supply limit in this policy version',
  };
}

/** Checks a sale against the region's rules and the patient's history; open overrides unblock. */
export function superviseSale(db: DB, book: PolicyBook, raw: SaleCheckInput): SupervisionResult & { overrides: OverrideRow[] } {
  const input = parseOrThrow(SaleCheckSchema, raw);
  const history = dispensingHistory(db, input.psnNo, addDays(input.date, -HISTORY_DAYS), input.date);
  const overrides = openOverrides(db, input.psnNo, input.date);
  const result = checkSupervision({ psnNo: input.psnNo, date: input.date, supply: supplyRules(book, input.policy, input.date), lines: input.lines }, history, overrides);
  return { ...result, overrides };
}

export const OverrideSchema = z.object({
  sale: SaleCheckSchema,
  lineId: z.string().min(1),
  rule: z.enum(['MAX_SUPPLY', 'EARLY_REFILL']),
  reason: z.string().transform((s) => s.trim()).refine((s) => [...s].length >= MIN_REASON_CHARS, {
    message: `the reason must be written out (at least ${MIN_REASON_CHARS} characters)`,
    params: { zh: `请填写放行理由（至少${MIN_REASON_CHARS}个字）` },
  }),
  operator: z.object({ id: z.string().min(1), name: z.string().min(1), role: z.string().min(1) }),
});
export type OverrideInput = z.input<typeof OverrideSchema>;

function refuse(code: string, message: string, messageZh: string, path: string): never {
  throw new InputError(code, message, messageZh, [{ path, code, message, messageZh }]);
}

/**
 * Records an authorised override of one blocking finding. The finding must be real (the sale is
 * re-checked); the operator must be a pharmacist or administrator (the operators table decides
 * when the operator is registered there). Returns the audit record.
 */
export function overrideBlock(db: DB, book: PolicyBook, raw: OverrideInput, now: Date = new Date()): OverrideRow {
  const input = parseOrThrow(OverrideSchema, raw);
  const registered = operatorRole(db, input.operator.id);
  const role = registered ? registered.role : input.operator.role;
  if (registered && !registered.active) refuse('OPERATOR_INACTIVE', `operator ${input.operator.id} is not active`, '该操作员已停用', 'operator.id');
  if (!(OVERRIDE_ROLES as readonly string[]).includes(role)) {
    refuse('NOT_AUTHORISED', `only a pharmacist or an administrator may override a supervision block (operator role: ${role})`, '只有药师或管理员可以放行监管拦截', 'operator.role');
  }
  const check = superviseSale(db, book, input.sale);
  const line = check.lines.find((l) => l.id === input.lineId);
  if (!line) refuse('UNKNOWN_LINE', `no line ${JSON.stringify(input.lineId)} in the sale`, '销售明细中没有该行', 'lineId');
  const finding = line.findings.find((f) => f.rule === input.rule && f.severity === 'block');
  if (!finding) refuse('NOTHING_TO_OVERRIDE', `line ${input.lineId} is not blocked by ${input.rule}`, '该明细没有此项拦截，无需放行', 'rule');
  if (finding.overrideId) refuse('ALREADY_OVERRIDDEN', `line ${input.lineId} already has override ${finding.overrideId}`, '该拦截已放行', 'rule');
  const row: OverrideRow = {
    id: randomUUID(),
    psnNo: input.sale.psnNo,
    serviceDate: input.sale.date,
    lineCode: line.code,
    genericName: line.genericName,
    rule: input.rule as SupervisionRule,
    finding: { ...finding, overrideId: undefined },
    reason: input.reason,
    operatorId: input.operator.id,
    operatorName: registered?.name ?? input.operator.name,
    operatorRole: role as 'pharmacist' | 'admin',
    settlementId: null,
    createdAt: now.toISOString(),
  };
  insertOverride(db, row);
  return row;
}

/**
 * After a sale is settled: its supply goes into the history and the overrides it used are
 * linked to it. Call inside the settlement's transaction (synchronous).
 */
export function recordDispensing(
  db: DB,
  d: { settlementId: string; psnNo: string; date: string; institution: string | null; lines: z.input<typeof SupervisionLineSchema>[]; overrideIds?: string[] },
  now: Date = new Date(),
): void {
  const lines = d.lines.map((l) => parseOrThrow(SupervisionLineSchema, l));
  insertCounterDispensing(
    db,
    {
      settlementId: d.settlementId,
      psnNo: d.psnNo,
      date: d.date,
      institution: d.institution,
      lines: lines.map((l) => ({ lineRef: l.id, code: l.code, genericName: l.genericName, drugGroup: l.drugGroup, days: lineDays(l) })),
    },
    now.toISOString(),
  );
  if (d.overrideIds?.length) linkOverrides(db, d.overrideIds, d.settlementId);
}

/** A return (全额退费 or some lines) gives the supply back: call with the sale's id inside the reversal's transaction. */
export function releaseDispensing(db: DB, saleSettlementId: string, lineRefs?: string[]): number {
  return deleteCounterDispensing(db, saleSettlementId, lineRefs);
}

export const ImportedHistorySchema = z.array(
  z.object({
    psnNo: z.string().min(1).max(30),
    date: isoDate('date', '配药日期'),
    code: z.string().max(50).nullable().default(null),
    genericName: z.string().min(1).max(100),
    drugGroup: z.string().max(100).nullable().default(null),
    days: z.number().int().positive().max(3660),
    institution: z.string().max(30).nullable().default(null),
  }),
);

/** Dispensing at other institutions, as the bureau's roster push carries it (idempotent). */
export function importDispensingHistory(db: DB, raw: unknown, now: Date = new Date()): { received: number; inserted: number } {
  const entries = parseOrThrow(ImportedHistorySchema, raw);
  return { received: entries.length, inserted: insertImportedDispensing(db, entries, now.toISOString()) };
}

/** An override as it may be shown or logged (the person's number masked). */
export function describeOverride(o: OverrideRow): string {
  return `${o.serviceDate} ${maskCertno(o.psnNo)} ${o.genericName} ${o.rule} by ${o.operatorName} (${o.operatorRole}): ${o.reason}`;
}
