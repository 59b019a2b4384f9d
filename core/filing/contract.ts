// Filing requests (备案 / 变更备案 / 停止), validated where they enter.
import type { ConditionName } from '../contract/filing.ts';
import { z } from 'zod';
import { isoDate } from '../contract/fields.ts';
import { RISK_GROUPS } from '../contract/diagnosis.ts';

const Condition = z.enum(['hypertension', 'diabetes'] as const satisfies readonly ConditionName[]);
const Doctor = z.object({ code: z.string().max(30).nullable().default(null), name: z.string().min(1, { message: 'the diagnosing doctor is required' }).max(50) });
const Diagnosis = z.object({ code: z.string().min(1).max(20), name: z.string().min(1).max(100) });
/** The diagnosis detail that decides the management class (seed 001 §一); any part may be unknown. */
const DiagnosisDetail = z
  .object({
    hypertensionGrade: z.union([z.literal(1), z.literal(2), z.literal(3)]).nullable().default(null),
    riskGroup: z.enum(RISK_GROUPS).nullable().default(null),
    secondaryHypertension: z.boolean().nullable().default(null),
  })
  .strict();
const Drug = z.object({ genericName: z.string().min(1).max(100), usage: z.string().max(100).nullable().default(null) });

/** Personal data, needed only when the patient is not yet on the roster. */
const PersonSchema = z.object({
  name: z.string().min(1).max(50),
  certno: z.string().max(18).nullable().default(null),
  gender: z.enum(['1', '2', '9']).nullable().default(null),
  birthDate: isoDate('person.birthDate', '出生日期').nullable().default(null),
  insurance: z.enum(['resident', 'employee']),
  region: z.string().regex(/^\d{6}$/).nullable().default(null),
  address: z.string().max(200).nullable().default(null),
});

const base = {
  psnNo: z.string().min(1).max(30),
  date: isoDate('date', '备案日期'),
  doctor: Doctor,
  note: z.string().max(500).nullable().default(null),
};

export const NewFilingSchema = z.object({
  kind: z.literal('new'),
  ...base,
  person: PersonSchema.optional(),
  conditions: z.array(Condition).min(1, { message: 'choose hypertension, diabetes or both' }).max(2),
  managementClass: z.union([z.literal(1), z.literal(2)]).nullable().default(null),
  diagnosisDetail: DiagnosisDetail.optional(),
  diagnoses: z.array(Diagnosis).max(10).default([]),
  drugs: z.array(Drug).max(30).default([]),
  history: z.string().max(1000).nullable().default(null),
});

export const CHANGE_REASONS = ['cured', 'progressed', 'new-disease', 'drug-change'] as const;
export const CHANGE_REASON_ZH: Record<(typeof CHANGE_REASONS)[number], string> = { cured: '已痊愈', progressed: '病情进展', 'new-disease': '出现新病种', 'drug-change': '用药发生改变' };

export const ChangeFilingSchema = z.object({
  kind: z.literal('change'),
  ...base,
  reason: z.enum(CHANGE_REASONS),
  /** The conditions after the change (cured of one: the other; new disease: both). */
  conditions: z.array(Condition).max(2),
  managementClass: z.union([z.literal(1), z.literal(2)]).nullable().default(null),
  diagnosisDetail: DiagnosisDetail.optional(),
  drugs: z.array(Drug).max(30).default([]),
  diagnoses: z.array(Diagnosis).max(10).default([]),
});

export const StopFilingSchema = z.object({
  kind: z.literal('stop'),
  ...base,
  reason: z.string().min(2, { message: 'say why the filing stops' }).max(200),
});

export const FilingRequestSchema = z.discriminatedUnion('kind', [NewFilingSchema, ChangeFilingSchema, StopFilingSchema]).superRefine((r, ctx) => {
  if (r.kind !== 'stop' && new Set(r.conditions).size !== r.conditions.length) ctx.addIssue({ code: 'custom', path: ['conditions'], message: 'a condition is listed twice', params: { zh: '病种重复' } });
});

export type FilingRequest = z.output<typeof FilingRequestSchema>;
export type FilingRequestInput = z.input<typeof FilingRequestSchema>;
export type { ConditionName };
