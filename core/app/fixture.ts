// A small, well-formed counter dataset for the five regions: institutions, patients (valid
// GB 11643 numbers), two-disease drugs with barcodes and DEMO prices, and three operators.
// Used by the e2e tests, the UI benchmark, and `npm start` when the full demo seed is absent.
// It goes through the real importers (core/import), so it is validated like a bureau file.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DB } from '../store/db.ts';
import { importRosterText } from '../import/roster.ts';
import { importCatalogText } from '../import/catalog.ts';
import { ean13, syntheticCertno, syntheticDrugCode } from '../import/synthetic.ts';
import { setInstitution } from '../store/settings.ts';
import { createOperator, listOperators } from '../store/counter.ts';

export type RegionId = 'lincang' | 'chongqing' | 'kunming' | 'ezhou' | 'dazhou';

export interface RegionFixture {
  policy: RegionId;
  institution: { code: string; name: string; type: 'clinic' | 'pharmacy'; level: 1 | 2 | 3; region: string; annualCap?: string };
  /** An eligible patient's ID number, and one who is not eligible here (with the reason the screen should show). */
  eligible: string;
  ineligible: string;
  ineligibleReason: RegExp;
}

const PREFECTURES = ['530900', '500000', '530100', '420700', '511700'];

/** The two-disease drugs of the fixture (seed 000 附件2 names; prices are DEMO values). */
export const FIXTURE_DRUGS = [
  { n: 1, name: '氨氯地平片', trade: '络活喜', form: '片剂', spec: '5mg×28片', cls: '甲', cat: 'antihypertensive', vbp: true, price: '6.30', std: '6.30', listed: true },
  { n: 2, name: '二甲双胍片', trade: '格华止', form: '片剂', spec: '0.5g×60片', cls: '甲', cat: 'antidiabetic', vbp: true, price: '4.80', std: '4.80', listed: true },
  { n: 3, name: '缬沙坦胶囊', trade: '代文', form: '胶囊', spec: '80mg×28粒', cls: '乙', cat: 'antihypertensive', vbp: false, price: '32.50', std: '28.00', listed: true },
  { n: 4, name: '阿卡波糖片', trade: '拜糖平', form: '片剂', spec: '50mg×30片', cls: '乙', cat: 'antidiabetic', vbp: true, price: '18.60', std: '18.60', listed: true },
  { n: 5, name: '硝苯地平缓释片', trade: null, form: '缓释片', spec: '20mg×30片', cls: '甲', cat: 'antihypertensive', vbp: true, price: '9.90', std: '9.90', listed: true },
  { n: 6, name: '复方丹参滴丸', trade: null, form: '滴丸', spec: '27mg×180丸', cls: '甲', cat: 'other', vbp: false, price: '26.00', std: null, listed: false },
] as const;

export function drugCode(n: number, other = false): string {
  return syntheticDrugCode(other ? 'Z' : 'X', n);
}
export function drugBarcode(n: number): string {
  return ean13(`6901234${String(n).padStart(5, '0')}`);
}

export const FIXTURE_REGIONS: Record<RegionId, RegionFixture> = {
  lincang: {
    policy: 'lincang',
    institution: { code: 'H53090200001', name: '临翔区凤翔街道社区卫生服务中心', type: 'clinic', level: 1, region: '530902' },
    eligible: syntheticCertno('530902', '19560312', 11),
    ineligible: syntheticCertno('530902', '19600101', 12), // employee insurance: Lincang covers residents only
    ineligibleReason: /参保类型/,
  },
  chongqing: {
    policy: 'chongqing',
    institution: { code: 'H50010100001', name: '万州区高笋塘社区卫生服务中心', type: 'clinic', level: 1, region: '500101' },
    eligible: syntheticCertno('500101', '19520708', 21),
    ineligible: syntheticCertno('500101', '19581111', 22),
    ineligibleReason: /参保类型/,
  },
  kunming: {
    policy: 'kunming',
    institution: { code: 'H53010200001', name: '五华区华山街道社区卫生服务中心', type: 'clinic', level: 1, region: '530102', annualCap: '720.00' },
    eligible: syntheticCertno('530102', '19500505', 31),
    ineligible: syntheticCertno('530102', '19551212', 32), // chose another designated institution
    ineligibleReason: /定点/,
  },
  ezhou: {
    policy: 'ezhou',
    institution: { code: 'P42070200001', name: '鄂州市百姓大药房（梁子湖店）', type: 'pharmacy', level: 1, region: '420702' },
    eligible: syntheticCertno('420702', '19490909', 41),
    ineligible: syntheticCertno('420702', '19570303', 42), // chronic-disease benefits since 2025
    ineligibleReason: /慢特病/,
  },
  dazhou: {
    policy: 'dazhou',
    institution: { code: 'H51170200001', name: '通川区西城街道卫生院', type: 'clinic', level: 1, region: '511702', annualCap: '300.00' },
    eligible: syntheticCertno('511702', '19530606', 51),
    ineligible: syntheticCertno('511702', '19540404', 52),
    ineligibleReason: /参保类型|两病/,
  },
};

/** A 医保电子凭证 token the bureau's roster carries for the Lincang patient (resolves offline). */
export const FIXTURE_EC_TOKEN = 'ECFIX20240301a1b2c3d4e5f6';

function rosterRows(): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = [];
  const base = { flagged_date: '2024-03-01', flagged_by: 'bureau', status: 'active' };
  const add = (certno: string, name: string, extra: Record<string, unknown>) =>
    rows.push({ psn_no: `P${certno.slice(0, 6)}${certno.slice(14, 17)}`, certno, card_no: `K${certno.slice(-8)}`, name, gender: Number(certno[16]) % 2 === 1 ? '1' : '2', birth_date: `${certno.slice(6, 10)}-${certno.slice(10, 12)}-${certno.slice(12, 14)}`, region: certno.slice(0, 6), ...base, ...extra });
  const R = FIXTURE_REGIONS;
  add(R.lincang.eligible, '张建国', { insutype: '390', conditions: 'both', pool_used: '120.00', pool_used_as_of: '2025-12-31', ec_token: FIXTURE_EC_TOKEN });
  add(R.lincang.ineligible, '李秀英', { insutype: '310', conditions: 'hypertension' });
  // The eligible patients are filed for both conditions: the flows buy an antihypertensive and an
  // antidiabetic, and a drug for a condition not filed is not covered.
  add(R.chongqing.eligible, '王德明', { insutype: '390', conditions: 'both', management_class: '2' });
  add(R.chongqing.ineligible, '刘春梅', { insutype: '310', conditions: 'diabetes', management_class: '2' });
  add(R.kunming.eligible, '赵志华', { insutype: '390', conditions: 'both', designated_institution: R.kunming.institution.code });
  add(R.kunming.ineligible, '陈玉兰', { insutype: '390', conditions: 'hypertension', designated_institution: 'H53010200099' });
  add(R.ezhou.eligible, '周福生', { insutype: '310', conditions: 'both' });
  add(R.ezhou.ineligible, '吴桂芳', { insutype: '390', conditions: 'diabetes', chronic_disease_since: '2025-01-01' });
  add(R.dazhou.eligible, '孙永强', { insutype: '390', conditions: 'both' });
  add(R.dazhou.ineligible, '马淑珍', { insutype: '390', conditions: 'hypertension', status: 'stopped', stopped_date: '2025-06-30', stopped_reason: '转入门诊慢特病' });
  return rows;
}

function catalogRows(): Record<string, unknown>[] {
  return FIXTURE_DRUGS.map((d) => ({
    code: drugCode(d.n, !d.listed),
    own_code: `YP${String(d.n).padStart(4, '0')}`,
    barcode: drugBarcode(d.n),
    generic_name: d.name,
    trade_name: d.trade,
    dosage_form: d.form,
    spec: d.spec,
    manufacturer: '演示药业有限公司',
    drug_class: d.cls,
    category: d.cat,
    vbp: d.vbp ? '1' : '0',
    vbp_price: d.vbp ? d.price : null,
    payment_standard: d.std,
    retail_price: d.price,
    restriction: d.n === 3 ? '限对其他降压药不能耐受的患者' : null,
    demo: '1',
    lists: d.listed ? PREFECTURES.join(';') : '',
  }));
}

/** Dazhou's seed sets neither rates nor cap (seed 004): a site file supplies them, marked as such. */
export const DAZHOU_SITE_POLICY = {
  id: 'dazhou',
  name: '达州市',
  versions: [
    {
      effectiveFrom: '2024-01-01',
      document: '本站配置（演示）：达州市两病门诊用药报销比例与限额由本站按医保局通知填写',
      eligibility: { insurance: ['resident'], chronicDiseaseSupersedes: false, institutionTypes: ['clinic', 'pharmacy'], levels: [1, 2, 3], designatedInstitutionOnly: false },
      lineRules: [
        { when: { kind: 'exam' }, covered: false, reason: 'EXAM_NOT_COVERED', source: 'site' },
        { when: { listed: false }, covered: false, reason: 'NOT_LISTED', source: 'site' },
        { when: {}, rate: '0.5', source: 'site' },
      ],
      cap: { kind: 'supplied', source: 'site: 本站设置 annualCap' },
    },
  ],
};

export function writeSitePolicies(dir: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'dazhou.json'), JSON.stringify(DAZHOU_SITE_POLICY, null, 2));
  return dir;
}

export const FIXTURE_OPERATORS = [
  { id: 'admin', name: '陈管理', role: 'admin', pin: '0000' },
  { id: 'yaoshi', name: '王药师', role: 'pharmacist', pin: '1234' },
  { id: 'shoufei', name: '李收费', role: 'clerk', pin: '5678' },
] as const;

/** Loads the fixture into an open database and configures the institution for one region. */
export function seedFixture(db: DB, region: RegionId, endpoint: string | null = null): void {
  const r1 = importRosterText(db, JSON.stringify(rosterRows()));
  const r2 = importCatalogText(db, JSON.stringify(catalogRows()));
  if (r1.rejected > 0 || r2.rejected > 0) throw new Error(`fixture rows rejected: ${JSON.stringify([r1, r2]).slice(0, 3000)}`);
  setRegion(db, region, endpoint);
  seedOperators(db);
}

/** The demo operators (pharmacist, billing clerk, administrator), when there are none yet. */
export function seedOperators(db: DB): void {
  if (listOperators(db).length === 0) for (const o of FIXTURE_OPERATORS) createOperator(db, o);
}

export function setRegion(db: DB, region: RegionId, endpoint: string | null = null): void {
  const f = FIXTURE_REGIONS[region];
  setInstitution(db, {
    code: f.institution.code,
    name: f.institution.name,
    type: f.institution.type,
    level: f.institution.level,
    policy: f.policy,
    region: f.institution.region,
    annualCap: f.institution.annualCap ?? null,
    platformEndpoint: endpoint,
  });
}
