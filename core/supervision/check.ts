// The supervision check of a sale before it is confirmed (超量开药 / 重复开药: seed 000 §二.(五).11,
// seed 001 §四, seed 002 §六.(二), seed 003 §二.(一).4 and 附件3, seed 004 §二.(三)).
// Pure: the caller supplies the policy's supply block, the patient's dispensing history and any
// overrides already recorded; the store glue (./index.ts) loads them from the database.
import { z } from 'zod';
import { decimalField, isoDate } from '../contract/fields.ts';
import { parseOrThrow } from '../contract/problems.ts';
import { daysOfSupply, maxQuantityFor } from './supply.ts';
import { refillVerdict, sameName, type DispensedEntry } from './refill.ts';

export const SupervisionLineSchema = z
  .object({
    id: z.string().min(1).max(64),
    code: z.string().min(1).max(50),
    genericName: z.string().min(1).max(100),
    drugGroup: z.string().max(100).nullable().default(null),
    quantity: decimalField({ maxDecimals: 4, positive: true, what: 'quantity', whatZh: '数量' }),
    quantityUnit: z.enum(['package', 'unit']).default('package'),
    packageSize: decimalField({ maxDecimals: 4, positive: true, what: 'packageSize', whatZh: '包装规格（每盒最小单位数）' }).default('1'),
    /** Smallest units a day, from the prescription or typed at the counter. */
    dailyDose: decimalField({ maxDecimals: 4, positive: true, what: 'dailyDose', whatZh: '日剂量' }).optional(),
    /** Days of supply written on the prescription, when the dose is not given. */
    days: z.number().int().positive().max(3660).optional(),
  })
  .refine((l) => l.dailyDose !== undefined || l.days !== undefined, {
    message: 'give dailyDose (units per day) or days (days of supply)',
    params: { zh: '请填写日剂量或用药天数' },
    path: ['dailyDose'],
  });

export const SupplyRulesSchema = z.object({
  maxDaysPerPrescription: z.number().int().positive().nullable(),
  refillWhenDaysLeftAtMost: z.number().int().min(0).default(15),
  source: z.string().default(''),
});

export const SupervisionRequestSchema = z.object({
  psnNo: z.string().min(1).max(30),
  date: isoDate('date', '日期'),
  supply: SupplyRulesSchema,
  lines: z.array(SupervisionLineSchema).min(1).max(500),
});

export type SupervisionLine = z.output<typeof SupervisionLineSchema>;
export type SupervisionRequest = z.output<typeof SupervisionRequestSchema>;
export type SupervisionRequestInput = z.input<typeof SupervisionRequestSchema>;
export type SupervisionRule = 'MAX_SUPPLY' | 'EARLY_REFILL';

export interface Finding {
  rule: SupervisionRule | 'SAME_CLASS_IN_SALE';
  /** 'block' stops the line until an authorised override; 'warn' is shown to the pharmacist only. */
  severity: 'block' | 'warn';
  message: string;
  messageZh: string;
  /** Covered by a recorded override (id), so it no longer blocks. */
  overrideId: string | null;
  days?: number;
  maxDays?: number;
  /** The most that may be dispensed within the ceiling, in the line's quantity unit. */
  maxQuantity?: string;
  daysLeft?: number;
  allowedFrom?: string;
  last?: { date: string; genericName: string; days: number; source: string };
}

export interface LineVerdict {
  id: string;
  code: string;
  genericName: string;
  days: number;
  findings: Finding[];
  blocked: boolean;
}

export interface SupervisionResult {
  date: string;
  psnNo: string;
  blocked: boolean;
  lines: LineVerdict[];
  rules: { maxDaysPerPrescription: number | null; refillWhenDaysLeftAtMost: number; source: string };
}

export interface OverrideRef {
  id: string;
  lineCode: string;
  rule: SupervisionRule;
}

export function lineDays(l: SupervisionLine): number {
  if (l.dailyDose !== undefined) return daysOfSupply({ quantity: l.quantity, quantityUnit: l.quantityUnit, packageSize: l.packageSize, dailyDose: l.dailyDose });
  return l.days!;
}

export function checkSupervision(raw: SupervisionRequestInput, history: readonly DispensedEntry[], overrides: readonly OverrideRef[] = []): SupervisionResult {
  const req = parseOrThrow(SupervisionRequestSchema, raw);
  const { maxDaysPerPrescription: maxDays, refillWhenDaysLeftAtMost: maxLeft } = req.supply;
  const days = new Map(req.lines.map((l) => [l.id, lineDays(l)]));
  const overrideFor = (code: string, rule: SupervisionRule) => overrides.find((o) => o.lineCode === code && o.rule === rule)?.id ?? null;

  const lines = req.lines.map((l): LineVerdict => {
    const findings: Finding[] = [];
    const d = days.get(l.id)!;
    // Two lines of the same drug on one prescription are one supply.
    const sameDrugLines = req.lines.filter((o) => sameName(o.genericName, l.genericName));
    const total = sameDrugLines.reduce((acc, o) => acc + days.get(o.id)!, 0);
    if (maxDays !== null && total > maxDays) {
      const maxQuantity = l.dailyDose !== undefined && sameDrugLines.length === 1 ? maxQuantityFor(maxDays, { quantityUnit: l.quantityUnit, packageSize: l.packageSize, dailyDose: l.dailyDose }) : undefined;
      findings.push({
        rule: 'MAX_SUPPLY',
        severity: 'block',
        message: `${total} days of ${l.genericName} exceed the ${maxDays}-day limit per prescription${maxQuantity ? ` (at most ${maxQuantity} ${l.quantityUnit === 'package' ? 'package(s)' : 'unit(s)'})` : ''}`,
        messageZh: `${l.genericName}用药${total}天，超过单张处方最长${maxDays}天${maxQuantity ? `（最多可开${maxQuantity}${l.quantityUnit === 'package' ? '盒' : '个最小单位'}）` : ''}`,
        overrideId: overrideFor(l.code, 'MAX_SUPPLY'),
        days: total,
        maxDays,
        ...(maxQuantity ? { maxQuantity } : {}),
      });
    }
    const v = refillVerdict(l, history, req.date, maxLeft);
    if (!v.allowed && v.last) {
      findings.push({
        rule: 'EARLY_REFILL',
        severity: 'block',
        message: `${l.genericName}: the last dispensing (${v.last.genericName}, ${v.last.date}, ${v.last.days} days) still covers ${v.daysLeft} days; a refill is allowed with ${maxLeft} days or fewer left, from ${v.allowedFrom}`,
        messageZh: `${l.genericName}：上次配药（${v.last.genericName}，${v.last.date}，${v.last.days}天）剩余${v.daysLeft}天用药量，剩余不超过${maxLeft}天方可再次配药，${v.allowedFrom}起可配`,
        overrideId: overrideFor(l.code, 'EARLY_REFILL'),
        daysLeft: v.daysLeft,
        allowedFrom: v.allowedFrom,
        last: { date: v.last.date, genericName: v.last.genericName, days: v.last.days, source: v.last.source },
      });
    }
    // Two different drugs of one ingredient class on one prescription (two ARBs): 重复开药 unless
    // intended (basal + prandial insulin is), so the pharmacist is told, not stopped.
    const sameClass = l.drugGroup ? req.lines.filter((o) => o.id !== l.id && o.drugGroup && sameName(o.drugGroup, l.drugGroup!) && !sameName(o.genericName, l.genericName)) : [];
    if (sameClass.length > 0) {
      const names = [...new Set(sameClass.map((o) => o.genericName))].join('、');
      findings.push({
        rule: 'SAME_CLASS_IN_SALE',
        severity: 'warn',
        message: `${l.genericName} and ${names} are both ${l.drugGroup}: check this is not a duplicate prescription`,
        messageZh: `${l.genericName}与${names}同属${l.drugGroup}，请核对是否重复开药`,
        overrideId: null,
      });
    }
    return { id: l.id, code: l.code, genericName: l.genericName, days: d, findings, blocked: findings.some((f) => f.severity === 'block' && f.overrideId === null) };
  });
  return {
    date: req.date,
    psnNo: req.psnNo,
    blocked: lines.some((l) => l.blocked),
    lines,
    rules: { maxDaysPerPrescription: maxDays, refillWhenDaysLeftAtMost: maxLeft, source: req.supply.source },
  };
}

/** Who may override a block: a pharmacist or an administrator, never a cashier (clerk). */
export const OVERRIDE_ROLES = ['pharmacist', 'admin'] as const;
/** The written reason must say something: at least this many characters (汉字 count one each). */
export const MIN_REASON_CHARS = 4;
