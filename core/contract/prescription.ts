// The prescription a sale is dispensed on (issue 11 item 2; seed 001 §四 外配处方, seed 003 附件3
// 长期处方): who prescribed (institution with its level, doctor), when, for what, and for an
// external or electronic prescription its number and source. Strict: an unknown field is refused.
import { z } from 'zod';
import { isoDate } from './fields.ts';

export const PRESCRIPTION_SOURCES = ['paper', 'electronic', 'external'] as const;

export const PrescriberInstitutionSchema = z.strictObject({
  /** 定点医疗机构编号 of the prescriber. */
  code: z.string().trim().min(1, { message: 'prescription.institution.code is required' }).max(30),
  name: z.string().trim().min(1, { message: 'prescription.institution.name is required' }).max(100),
  /** clinic: 基层医疗机构 (村卫生室、卫生院、社区卫生服务中心); hospital: 医院. */
  type: z.enum(['clinic', 'hospital'], { error: 'prescription.institution.type is clinic or hospital' }),
  /** The prescriber's level (一级/二级/三级): a pharmacy is paid at this level where the policy depends on it. */
  level: z.union([z.literal(1), z.literal(2), z.literal(3)], { error: 'prescription.institution.level is 1, 2 or 3' }),
});

export const PrescriptionSchema = z.strictObject({
  institution: PrescriberInstitutionSchema,
  doctor: z.strictObject({
    name: z.string().trim().min(1, { message: 'prescription.doctor.name is required' }).max(40),
    /** 医保医师代码 (national code); optional where the doctor has none on file. */
    code: z.string().trim().max(30).optional(),
  }),
  date: isoDate('prescription.date', '处方日期'),
  diagnosis: z.string().trim().min(1, { message: 'prescription.diagnosis is required' }).max(200),
  number: z.string().trim().min(1).max(40).optional(),
  source: z.enum(PRESCRIPTION_SOURCES).optional(),
  // What the continuous-prescription print carries beside it (typed at the counter).
  department: z.string().max(40).optional(),
  outpatientNo: z.string().max(40).optional(),
  consent: z.boolean().optional(),
  /** 慢性病连续处方 (seed 003 附件3): settles only with the doctor and the patient's consent. */
  continuous: z.boolean().optional(),
  /** The patient's address and phone, and the 复核药师, as the continuous-prescription form asks. */
  address: z.string().trim().max(100).optional(),
  phone: z.string().trim().regex(/^[0-9+\- ]{0,20}$/, { message: 'prescription.phone is digits' }).optional(),
  reviewer: z.string().trim().max(40).optional(),
});

export type Prescription = z.output<typeof PrescriptionSchema>;
export type PrescriptionInput = z.input<typeof PrescriptionSchema>;
