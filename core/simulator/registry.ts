// What the simulated platform knows about people beyond settlements: who holds which certificate
// (1101), their insurance entries, their 门慢门特 filings (5301) and other institutions'
// dispensing (5205). Set by tests and the demo; empty by default.
import { z } from 'zod';

const Dispensed = z.object({
  fixmedins_code: z.string(),
  fixmedins_name: z.string(),
  fee_ocur_time: z.string(),
  med_list_codg: z.string(),
  hilist_name: z.string(),
  cnt: z.string(),
  pric: z.string(),
  spec: z.string().default(''),
  /** Days of supply the dispensing covered (carried in memo on the real platform, where at all). */
  prd_days: z.string().optional(),
});

export const SimPersonSchema = z.object({
  psnNo: z.string().min(1).max(30),
  certno: z.string(),
  name: z.string(),
  gend: z.string().default('1'),
  brdy: z.string().default('1960-01-01'),
  cardNo: z.string().optional(),
  cardSn: z.string().optional(),
  ecToken: z.string().optional(),
  insuinfo: z.array(z.object({ insutype: z.string(), psn_insu_stas: z.string().default('1'), insuplc_admdvs: z.string(), balc: z.string().default('0.00'), psn_type: z.string().default('11') })).min(1),
  filings: z.array(z.object({ code: z.string(), name: z.string(), begndate: z.string(), enddate: z.string().nullable().default(null) })).default([]),
  dispensing: z.array(Dispensed).default([]),
});
export type SimPerson = z.output<typeof SimPersonSchema>;

export const SimRegistrySchema = z.object({
  persons: z.array(SimPersonSchema).max(10_000).default([]),
  /** The national list 1312 pages through. */
  catalogue: z
    .array(
      z.object({
        hilist_code: z.string(),
        hilist_name: z.string(),
        chrgitm_lv: z.string().default('01'),
        vali_flag: z.string().default('1'),
        updt_time: z.string().default('2024-01-01 00:00:00'),
        /** Carried only by the 1301 file. */
        prodname: z.string().default(''),
        dosform_name: z.string().default(''),
        spec: z.string().default(''),
        prodentp_name: z.string().default(''),
        aprvno: z.string().default(''),
        ver: z.string().default('1'),
      }),
    )
    .max(100_000)
    .default([]),
});
export type SimRegistry = z.output<typeof SimRegistrySchema>;
export type SimRegistryInput = z.input<typeof SimRegistrySchema>;
