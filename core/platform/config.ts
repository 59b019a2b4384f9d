// Per-region platform configuration (resources/platform/provinces.json, overridable by a site
// file named in LBC_PLATFORM_CONFIG): the med_type codes, disease codes, transport path and how
// an unknown outcome is resolved differ by province, so none of them is hard-coded in the adapter.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { InputError, problemsFromZod } from '../contract/problems.ts';
import { resourcePath } from '../config/paths.ts';
import { CryptoSpecSchema } from './crypto.ts';

export const PLATFORM_CONFIG_ENV = 'LBC_PLATFORM_CONFIG';
export const BUNDLED_PLATFORM_CONFIG = resourcePath('platform', 'provinces.json');

const Disease = z.object({ code: z.string().regex(/^M\d{5}$/), name: z.string(), icd: z.string(), icdName: z.string() });

const RegionSettings = z.object({
  name: z.string().optional(),
  mdtrtareaAdmvs: z.string().regex(/^\d{6}$/).optional(),
  infver: z.string().max(6).optional(),
  recerSysCode: z.string().max(10).optional(),
  opterType: z.enum(['1', '2', '3']).optional(),
  // Only unsigned JSON over HTTP(S) is implemented; Jiangsu's CSB HMAC-SHA1 headers (platform-interface.md §1)
  // would be a new value here, refused until the client supports it.
  transport: z.object({ path: z.string().startsWith('/'), signing: z.enum(['none']) }).optional(),
  medType: z.object({ clinic: z.string().regex(/^\d{2,6}$/), pharmacy: z.string().regex(/^\d{2,6}$/) }).optional(),
  diseaseCodes: z.object({ hypertension: Disease, diabetes: Disease }).optional(),
  fundSumIncludesAccount: z.boolean().optional(),
  /** Extra envelope fields a province requires (newer editions / Jiangsu): only these names, plain values. */
  extraEnvelope: z.object({ fixmedins_soft_fcty: z.string().max(200).optional(), enc_type: z.literal('').optional() }).strict().optional(),
  /** The department sent where the interface asks for one (2201 dept_code/caty, 2204 bilg_dept_codg) when the staff mapping has none. */
  department: z.object({ code: z.string().min(1).max(30), name: z.string().min(1).max(100), caty: z.string().min(1).max(6) }).optional(),
  /** The province refuses a local operator id as 医保医师/药师编码: a business message for an operator with no staff mapping is not built. */
  requireStaffCodes: z.boolean().optional(),
  /**
   * National cryptography the province's gateway requires (core/platform/crypto.ts): enc_type SM4
   * encrypts `input`, signtype SM3 (HMAC) or SM2 (SM3withSM2) signs the envelope into cainfo. The
   * keys come from the counter's own key file (LBC_PLATFORM_KEYS), never from this file.
   */
  crypto: CryptoSpecSchema.optional(),
  /**
   * 3201 has no memo field in any anchor (platform-fields.md 3201; A2 T3201 carries no expContent
   * either). Where a province accepts an extension node on 3201 (A2's expContent convention on other
   * inputs), the day's journal anchor (the head hash printed on the 日结 statement) goes in it; null: not sent.
   */
  statementExtension: z.enum(['expContent', 'exp_content']).nullable().optional(),
  /** Pharmacies send 2101 药店预结算 before 2102 (A3 DrugPreSetlServiceImpl, A2 T2102's 2101 region) where the province asks for it. */
  pharmacyPreview: z.boolean().optional(),
  /** Upload each dispensed drug with 3505 商品销售 (进销存) after the settlement. */
  goodsSaleUpload: z.boolean().optional(),
  ambiguity: z
    .object({
      // No transaction queries a message by msgid (platform-fields.md 5203: keyed by setl_id). A
      // query is configured only where one really exists, with its real input; it can then only
      // settle an unknown outcome whose setl_id is known (a reversal of a known settlement).
      query: z.object({ infno: z.string().min(4).max(6), input: z.tuple([z.literal('psn_no'), z.literal('setl_id'), z.literal('mdtrt_id')]) }).nullable(),
      reverseInfno: z.string().min(4).max(6),
      reversible: z.array(z.string()),
    })
    .optional(),
  maxFailures: z.number().int().min(1).max(1000).optional(),
  /** How long a 医保电子凭证 token (mdtrt_cert_type 01) is honoured; later uploads use the ID number (02). */
  ecTokenValidMinutes: z.number().int().min(0).max(1440).optional(),
  sendSimulatorHints: z.boolean().optional(),
  /** Every package sold must carry its 药品追溯码 before the sale settles. */
  traceCodesRequired: z.boolean().optional(),
  /** The platform settles out-of-area (异地) patients directly here: their sales go through the outbox with their own insuplc_admdvs, not a 垫付 claim receipt. */
  outOfAreaDirect: z.boolean().optional(),
});

const ConfigFile = z.object({
  _about: z.string().optional(),
  // outOfAreaDirect came later: a site file written before it still loads (no direct 异地 settlement).
  defaults: RegionSettings.omit({ name: true, mdtrtareaAdmvs: true, outOfAreaDirect: true }).required().extend({ outOfAreaDirect: z.boolean().default(false) }),
  regions: z.record(z.string(), RegionSettings.required({ mdtrtareaAdmvs: true })),
});

export type RegionConfig = Required<z.infer<typeof RegionSettings>> & { id: string };

export class PlatformConfig {
  constructor(private readonly file: z.infer<typeof ConfigFile>) {}

  /** The settings for a region (policy id): the region's entries over the national defaults. */
  region(id: string): RegionConfig {
    const own = this.file.regions[id];
    if (!own) {
      throw new InputError('UNKNOWN_PLATFORM_REGION', `No platform settings for region ${JSON.stringify(id)}`, `没有地区 ${id} 的医保平台配置`);
    }
    return { ...this.file.defaults, ...own, name: own.name ?? id, id } as RegionConfig;
  }

  /** Which region a platform area code (mdtrtarea_admvs) belongs to: exact, else its prefecture (a county code such as 530902 → 530900). */
  regionByAdmvs(admvs: string): RegionConfig | null {
    const entries = Object.entries(this.file.regions);
    for (const [id, r] of entries) if (r.mdtrtareaAdmvs === admvs) return this.region(id);
    for (const [id, r] of entries) if (r.mdtrtareaAdmvs?.slice(0, 4) === admvs.slice(0, 4)) return this.region(id);
    return null;
  }

  /** Does any region require national cryptography (so the client seals envelopes at all)? */
  usesCrypto(): boolean {
    return Object.keys(this.file.regions).some((id) => {
      const c = this.region(id).crypto;
      return !!(c?.encType || c?.signType);
    });
  }

  regions(): string[] {
    return Object.keys(this.file.regions).sort();
  }
}

export function parsePlatformConfig(raw: unknown, origin: string): PlatformConfig {
  const parsed = ConfigFile.safeParse(raw);
  if (!parsed.success) {
    throw new InputError('BAD_PLATFORM_CONFIG', `${origin} is not a valid platform configuration`, `医保平台配置文件 ${origin} 有误`, problemsFromZod(parsed.error));
  }
  return new PlatformConfig(parsed.data);
}

let cached: PlatformConfig | null = null;

export function loadPlatformConfig(file: string | undefined = process.env[PLATFORM_CONFIG_ENV]): PlatformConfig {
  if (!file && cached) return cached;
  const path = file ?? BUNDLED_PLATFORM_CONFIG;
  const config = parsePlatformConfig(JSON.parse(readFileSync(path, 'utf8')), path);
  if (!file) cached = config;
  return config;
}
